// TextEncoder / TextDecoder and atob / btoa edge cases beyond WPT's fixed inputs: random split
// points for streamed decoding, fatal errors, BOM handling, encodeInto at surrogate boundaries; and
// Node's own TextDecoder / TextEncoder / TextEncoderStream as oracles for random (malformed) input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TextDecoder } from '../../src/web/encoding/text-decoder.js';
import { TextEncoder } from '../../src/web/encoding/text-encoder.js';
import { atob, btoa } from '../../src/web/base64.js';
import { NanoIsolate } from '../../src/host/isolate/nano-isolate.js';
import { HOST_DECODERS_MAX } from '../../src/host/text-codec-node.js';

test('streamed UTF-8 decoding equals one-shot decoding at any split points', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
      const bytes = new TextEncoder().encode(text);
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const decoder = new TextDecoder();
      let out = '';
      let from = 0;
      for (const p of points) {
        out += decoder.decode(bytes.subarray(from, p), { stream: true });
        from = p;
      }
      out += decoder.decode(bytes.subarray(from));
      assert.equal(out, text);
    }),
    { seed: 7, numRuns: 300 },
  );
});

test('malformed UTF-8: U+FFFD per maximal subpart, or a TypeError when fatal', () => {
  // F0 9F 98 is a truncated 4-byte sequence (one U+FFFD), C0 is never valid, ED A0 80 is a surrogate.
  const bad = new Uint8Array([0x61, 0xf0, 0x9f, 0x98, 0x62, 0xc0, 0xed, 0xa0, 0x80]);
  assert.equal(new TextDecoder().decode(bad), 'a\ufffdb\ufffd\ufffd\ufffd\ufffd');
  assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bad), TypeError);
  // An incomplete sequence at the end of a stream is an error only when the stream ends.
  const d = new TextDecoder('utf-8', { fatal: true });
  assert.equal(d.decode(new Uint8Array([0xe2, 0x82]), { stream: true }), '');
  assert.throws(() => d.decode(), TypeError);
});

test('BOM: stripped once at the start unless ignoreBOM; UTF-16 both byte orders', () => {
  const withBom = new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]);
  assert.equal(new TextDecoder().decode(withBom), 'hi');
  assert.equal(new TextDecoder('utf-8', { ignoreBOM: true }).decode(withBom), '\ufeffhi');
  const d = new TextDecoder();
  assert.equal(d.decode(new Uint8Array([0xef, 0xbb]), { stream: true }) + d.decode(new Uint8Array([0xbf, 0x41])), 'A');
  assert.equal(new TextDecoder('utf-16le').decode(new Uint8Array([0xff, 0xfe, 0x41, 0x00, 0x3d, 0xd8, 0x00, 0xde])), 'A\u{1f600}');
  assert.equal(new TextDecoder('utf-16be').decode(new Uint8Array([0x00, 0x41, 0xd8])), 'A\ufffd');
  assert.throws(() => new TextDecoder('no-such-encoding'), RangeError);
  assert.equal(new TextDecoder(' UTF8 ').encoding, 'utf-8');
});

test('encodeInto stops before a character that does not fit, never splitting a surrogate pair', () => {
  const encoder = new TextEncoder();
  const dest = new Uint8Array(5);
  assert.deepEqual(encoder.encodeInto('a\u{1f600}b', dest), { read: 3, written: 5 });
  assert.deepEqual(encoder.encodeInto('\u{1f600}', new Uint8Array(3)), { read: 0, written: 0 });
  assert.deepEqual([...encoder.encode('\ud800x')], [0xef, 0xbf, 0xbd, 0x78], 'a lone surrogate is U+FFFD');
});

test('atob / btoa: whitespace, padding, errors', () => {
  assert.equal(btoa('\u00ff\u00fe'), '//4=');
  assert.equal(atob(' //4 =\n'), '\u00ff\u00fe');
  assert.equal(atob('YQ'), 'a', 'padding is optional');
  assert.throws(() => atob('a'), (e: Error) => e.name === 'InvalidCharacterError');
  assert.throws(() => atob('YQ==='), (e: Error) => e.name === 'InvalidCharacterError');
  assert.throws(() => btoa('\u0100'), (e: Error) => e.name === 'InvalidCharacterError');
});

/** Bytes weighted towards the ones UTF-8 decoding branches on: leads, continuations, invalid bytes. */
const utf8ishBytes = fc.array(
  fc.oneof(
    fc.integer({ min: 0x00, max: 0x7f }),
    fc.integer({ min: 0x80, max: 0xbf }),
    fc.constantFrom(0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff, 0xbb, 0xbf, 0x9f, 0xa0),
  ),
  { maxLength: 24 },
);

test('UTF-8 decoding of arbitrary bytes, streamed at random split points, equals Node\'s TextDecoder (replacement and fatal)', () => {
  fc.assert(
    fc.property(utf8ishBytes, fc.array(fc.nat(), { maxLength: 5 }), fc.boolean(), fc.boolean(), (list, cuts, fatal, ignoreBOM) => {
      const bytes = new Uint8Array(list);
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const run = (decoder: { decode(input?: Uint8Array, options?: { stream: boolean }): string }): string => {
        let out = '';
        let from = 0;
        try {
          for (const p of points) {
            out += decoder.decode(bytes.subarray(from, p), { stream: true });
            from = p;
          }
          return out + decoder.decode(bytes.subarray(from));
        } catch (e) {
          return `${out}|threw ${(e as Error).name}`;
        }
      };
      const options = { fatal, ignoreBOM };
      assert.equal(run(new TextDecoder('utf-8', options)), run(new globalThis.TextDecoder('utf-8', options)));
    }),
    { seed: 11, numRuns: 3000 },
  );
});

/** Strings of code units weighted towards surrogates, lone and paired, and multi-byte characters. */
const surrogateish = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.constantFrom(0xe9, 0x3b1, 0x6d4b, 0xfffd, 0xfeff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde80),
    ),
    { maxLength: 20 },
  )
  .map((units) => String.fromCharCode(...units));

test('TextEncoder and TextEncoderStream (random chunk splits) give the bytes Node\'s TextEncoder/TextEncoderStream give', async () => {
  const { TextEncoderStream } = await import('../../src/web/text-encoder-stream.js');
  const nodeEncoder = new globalThis.TextEncoder();
  await fc.assert(
    fc.asyncProperty(fc.array(surrogateish, { minLength: 1, maxLength: 4 }), async (chunks) => {
      assert.deepEqual([...new TextEncoder().encode(chunks.join(''))], [...nodeEncoder.encode(chunks.join(''))]);
      const collect = async (stream: { readable: ReadableStream<Uint8Array>; writable: WritableStream<string> }): Promise<number[]> => {
        const writer = stream.writable.getWriter();
        for (const chunk of chunks) void writer.write(chunk);
        void writer.close();
        const out: number[] = [];
        for await (const bytes of stream.readable as unknown as AsyncIterable<Uint8Array>) out.push(...bytes, -1);
        return out;
      };
      assert.deepEqual(await collect(new TextEncoderStream() as never), await collect(new globalThis.TextEncoderStream()));
    }),
    { seed: 13, numRuns: 500 },
  );
});

test('ISO-8859-16 decodes in the realm: ASCII, C1 controls, and the standard code points', () => {
  const decoder = new TextDecoder('ISO-8859-16', { fatal: true });
  assert.equal(decoder.encoding, 'iso-8859-16');
  const all = decoder.decode(Uint8Array.from({ length: 256 }, (_, i) => i));
  assert.equal(all.length, 256);
  for (let b = 0; b < 0xa0; b++) assert.equal(all.charCodeAt(b), b, `byte 0x${b.toString(16)}`);
  // Bytes whose code points differ from ISO-8859-1 (ISO/IEC 8859-16:2001).
  const expected: Record<number, number> = { 0xa1: 0x0104, 0xa4: 0x20ac, 0xa5: 0x201e, 0xaa: 0x0218, 0xba: 0x0219, 0xbe: 0x0178, 0xc3: 0x0102, 0xd5: 0x0150, 0xde: 0x021a, 0xfe: 0x021b };
  for (const [byte, codePoint] of Object.entries(expected)) assert.equal(all.charCodeAt(Number(byte)), codePoint, `byte ${byte}`);
  // Every byte of the high half has its own code point.
  assert.equal(new Set(all.slice(0xa0)).size, 0x60);
  // Streaming keeps nothing between calls (each byte is one code point).
  const streamed = new TextDecoder('iso-8859-16');
  assert.equal(streamed.decode(Uint8Array.of(0x54, 0xde, 0x61), { stream: true }) + streamed.decode(Uint8Array.of(0xba, 0x61)), 'T\u021aa\u0219a');
});

test('the single-byte decoder: a pointer without a code point is U+FFFD, or a TypeError when fatal', async () => {
  const { SingleByteDecoder } = await import('../../src/web/encoding/single-byte-decoder.js');
  const index = Array.from({ length: 128 }, (_, pointer): number | null => (pointer === 5 ? null : 0x400 + pointer));
  assert.equal(new SingleByteDecoder('test', index, false).decode(Uint8Array.of(0x41, 0x85, 0x86), false), 'A\ufffd\u0406');
  assert.throws(() => new SingleByteDecoder('test', index, true).decode(Uint8Array.of(0x85), false), (e: unknown) => e instanceof TypeError && /not valid test/.test((e as Error).message));
});

/**
 * Each byte of the single-byte encoding `label` decodes (fatal and not) to what Node (ICU)
 * decodes it to, or to the code point `exceptions` gives for it (null: an error).
 */
function assertEveryByte(label: string, exceptions: Record<number, number | null> = {}): void {
  const decoder = new TextDecoder(label, { fatal: true });
  assert.equal(decoder.encoding, label);
  for (let byte = 0; byte < 0x100; byte++) {
    const input = Uint8Array.of(byte);
    let oracle: number | null;
    try {
      oracle = new globalThis.TextDecoder(label, { fatal: true }).decode(input).codePointAt(0)!;
    } catch {
      oracle = null;
    }
    const expected = byte in exceptions ? exceptions[byte]! : oracle;
    if (expected === null) {
      assert.throws(() => decoder.decode(input), TypeError, `${label} 0x${byte.toString(16)}`);
      assert.equal(new TextDecoder(label).decode(input), '\ufffd');
    } else {
      assert.equal(decoder.decode(input).codePointAt(0), expected, `${label} 0x${byte.toString(16)}`);
    }
  }
}

test('windows-874, -1252, -1253, -1255, IBM866 and KOI8-U decode in the realm: the standard index, which is Node\'s decoding but for the pointers listed', () => {
  // Where the standard's index differs from Node's decoding (WPT encoding/textdecoder-fatal-single-byte
  // and encoding/single-byte-decoder.window.js?TextDecoder, which has the standard's indexes).
  const windows1252: Record<number, number> = {};
  // prettier-ignore
  const cp1252 = [0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
    0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178];
  cp1252.forEach((codePoint, i) => (windows1252[0x80 + i] = codePoint));
  const differs: Record<string, Record<number, number | null>> = {
    'windows-874': { 0xdb: null, 0xdc: null, 0xdd: null, 0xde: null, 0xfc: null, 0xfd: null, 0xfe: null, 0xff: null },
    'windows-1253': { 0xaa: null },
    'windows-1255': { 0xca: 0x05ba },
    // Node decodes windows-1252 as ISO-8859-1.
    'windows-1252': windows1252,
    // ICU swaps three ASCII controls (IBM's convention); the standard passes ASCII through.
    ibm866: { 0x1a: 0x1a, 0x1c: 0x1c, 0x7f: 0x7f },
    // ICU has RFC 2319's box drawings where the standard has the Belarusian short u.
    'koi8-u': { 0xae: 0x045e, 0xbe: 0x040e },
  };
  for (const [label, exceptions] of Object.entries(differs)) assertEveryByte(label, exceptions);
  assert.equal(new TextDecoder('tis-620').encoding, 'windows-874');
  assert.equal(new TextDecoder('latin1').encoding, 'windows-1252');
  assert.equal(new TextDecoder('latin1').decode(Uint8Array.of(0x80, 0xe9)), '\u20ac\u00e9');
  assert.equal(new TextDecoder('866').encoding, 'ibm866');
  assert.equal(new TextDecoder('x-cp1255').encoding, 'windows-1255');
});

test('every other legacy single-byte encoding decodes in the realm, without a host: each byte as Node (ICU) decodes it, which is the standard index for these', () => {
  // No TextCodecBridge is set here: a host-decoded label would be a RangeError.
  const names = ['iso-8859-2', 'iso-8859-3', 'iso-8859-4', 'iso-8859-5', 'iso-8859-6', 'iso-8859-7', 'iso-8859-8', 'iso-8859-8-i', 'iso-8859-10', 'iso-8859-13', 'iso-8859-14', 'iso-8859-15', 'koi8-r', 'macintosh', 'windows-1250', 'windows-1251', 'windows-1254', 'windows-1256', 'windows-1257', 'windows-1258', 'x-mac-cyrillic'];
  for (const name of names) assertEveryByte(name);
  const labels: Record<string, string> = { latin2: 'iso-8859-2', logical: 'iso-8859-8-i', visual: 'iso-8859-8', 'iso-8859-9': 'windows-1254', mac: 'macintosh', 'x-mac-ukrainian': 'x-mac-cyrillic', koi: 'koi8-r', ' CP1251\n': 'windows-1251', 'iso-8859-6-i': 'iso-8859-6' };
  for (const [label, name] of Object.entries(labels)) assert.equal(new TextDecoder(label).encoding, name, label);
  assert.equal(new TextDecoder('windows-1251').decode(Uint8Array.of(0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2)), '\u041f\u0440\u0438\u0432\u0435\u0442');
});

/** Runs `check` with the host's text decoders as the realm's bridge (as an isolate has them), then removes them. */
async function withHostCodec(check: () => void): Promise<void> {
  const { setTextCodecBridge } = await import('../../src/web/encoding/text-decoder.js');
  const { nodeTextCodec } = await import('../../src/host/text-codec-node.js');
  const codec = nodeTextCodec();
  setTextCodecBridge(codec);
  try {
    check();
  } finally {
    setTextCodecBridge(undefined);
    codec.close();
  }
}

// ISO-2022-JP (src/web/encoding/iso-2022-jp-decoder.ts): the escape sequences decoded in the
// realm, index jis0208 read from the host's EUC-JP decoder.
test('ISO-2022-JP: every jis0208 pointer decodes as Node (ICU) decodes it; the escape error cases as the standard says', async () => {
  await withHostCodec(() => {
    const all = [0x1b, 0x24, 0x42];
    for (let lead = 0x21; lead <= 0x7e; lead++) for (let trail = 0x21; trail <= 0x7e; trail++) all.push(lead, trail);
    const bytes = new Uint8Array(all);
    assert.equal(new TextDecoder('iso-2022-jp').decode(bytes), new globalThis.TextDecoder('iso-2022-jp').decode(bytes));
    const decode = (input: number[], fatal = false) => new TextDecoder('csISO2022JP', { fatal }).decode(new Uint8Array(input));
    assert.equal(decode([0x1b, 0x28, 0x4a, 0x5c, 0x7e, 0x41]), '\u00a5\u203eA', 'Roman: yen and overline');
    assert.equal(decode([0x1b, 0x28, 0x49, 0x21, 0x5f]), '\uff61\uff9f', 'Katakana');
    assert.equal(decode([0x1b, 0x24, 0x42, 0x1b, 0x28, 0x42]), '\ufffd', 'two escapes in a row: the second is an error');
    assert.equal(decode([0x41, 0x1b]), 'A\ufffd', 'ESC at the end');
    assert.equal(decode([0x1b, 0x28, 0x44, 0x41]), '\ufffd(DA', 'an escape to a set the standard lacks: ESC is the error, the rest is read again');
    assert.equal(decode([0x0e, 0x41, 0x0f]), '\ufffdA\ufffd', 'SO and SI are errors');
    assert.equal(decode([0x1b, 0x24, 0x42, 0x30]), '\ufffd', 'a lead byte at the end');
    assert.equal(decode([0x1b, 0x24, 0x42, 0x30, 0x1b, 0x28, 0x42, 0x41]), '\ufffdA', 'ESC after a lead byte');
    assert.throws(() => decode([0x1b], true), TypeError);
    // Streamed at every split point, the same as one-shot.
    const text = [0x41, 0x1b, 0x24, 0x42, 0x30, 0x21, 0x1b, 0x28, 0x49, 0x31, 0x1b, 0x28, 0x4a, 0x5c, 0x1b, 0x28];
    const whole = decode(text);
    for (let cut = 0; cut <= text.length; cut++) {
      const decoder = new TextDecoder('iso-2022-jp');
      const out = decoder.decode(new Uint8Array(text.slice(0, cut)), { stream: true }) + decoder.decode(new Uint8Array(text.slice(cut)));
      assert.equal(out, whole, `split at ${cut}`);
    }
  });
});

test("in an isolate, the host's decoders (legacy encodings) are bounded and freed when the realm's TextDecoder is collected", async () => {
  const nano = await NanoIsolate.create({ memoryLimitMb: 32 });
  try {
    const made = await nano.context.eval(`(() => {
      let made = 0;
      try {
        for (;;) { new TextDecoder('shift_jis').decode(new Uint8Array([0x82, 0xa0]), { stream: true }); made++; }
      } catch (e) {
        return made + ' ' + e.name;
      }
    })()`);
    assert.equal(made, `${HOST_DECODERS_MAX} RangeError`);
    assert.equal(nano.hostDecoders, HOST_DECODERS_MAX);
    // Some garbage, then a task: the isolate collects the dropped decoders and frees their host halves.
    await nano.context.eval(
      `(async () => { let junk = []; for (let i = 0; i < 200; i++) junk.push(new Array(10000).fill(i)); junk = null; await new Promise((r) => setTimeout(r, 20)); })()`,
      { promise: true },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(nano.hostDecoders, 0);
    assert.equal(await nano.context.eval(`new TextDecoder('shift_jis').decode(new Uint8Array([0x82, 0xa0]))`), '\u3042');
  } finally {
    nano.dispose();
  }
});

test('in an isolate, a host-decoded input over 1 MiB goes in parts: a sequence split between parts decodes whole, an error in a later part is a TypeError', async () => {
  const nano = await NanoIsolate.create({ memoryLimitMb: 64 });
  try {
    const result = await nano.context.eval(`(() => {
      // 'a', then Shift_JIS pairs (U+3042) from an odd offset: one pair straddles the 1 MiB mark.
      const bytes = new Uint8Array(1024 * 1024 + 101);
      bytes[0] = 0x61;
      for (let i = 1; i + 1 < bytes.length; i += 2) { bytes[i] = 0x82; bytes[i + 1] = 0xa0; }
      const text = new TextDecoder('shift_jis').decode(bytes);
      const expected = 'a' + '\\u3042'.repeat((bytes.length - 1) >> 1);
      let fatal;
      const bad = bytes.slice();
      bad[bad.length - 2] = 0x82;
      bad[bad.length - 1] = 0x20; // a lead byte and a byte that cannot follow it
      try { new TextDecoder('shift_jis', { fatal: true }).decode(bad); fatal = 'decoded'; } catch (e) { fatal = e.name; }
      return [text === expected, text.length, fatal].join(' ');
    })()`);
    assert.equal(result, `true ${1 + ((1024 * 1024 + 100) >> 1)} TypeError`);
  } finally {
    nano.dispose();
  }
});

test("the host's legacy multi-byte decoders are the standard's, where Node's ICU is not", async () => {
  await withHostCodec(() => {
    const decode = (label: string, bytes: number[], fatal = false) => new TextDecoder(label, { fatal }).decode(new Uint8Array(bytes));
    const icu = (label: string, bytes: number[]) => new globalThis.TextDecoder(label).decode(new Uint8Array(bytes));
    // EUC-KR is windows-949: its extension's pointer 0 is U+AC02 (ICU drops the lead and gives "A").
    assert.equal(decode('euc-kr', [0x81, 0x41]), '\uac02');
    assert.notEqual(icu('euc-kr', [0x81, 0x41]), '\uac02');
    // Big5 pointer 0 has no code point: an error, and the ASCII trail byte read again (ICU: nothing).
    assert.equal(decode('big5', [0x81, 0x40]), '\ufffd@');
    assert.throws(() => decode('big5', [0x81, 0x40], true), TypeError);
    // jis0212 pointer 7708 has no code point in the standard (ICU: U+2170).
    assert.equal(decode('euc-jp', [0x8f, 0xf3, 0xa1]), '\ufffd');
    assert.equal(icu('euc-jp', [0x8f, 0xf3, 0xa1]), '\u2170');
    // gb18030's four-byte form and GBK's euro sign.
    assert.equal(decode('gb18030', [0x81, 0x35, 0xf4, 0x37]), '\ue7c7');
    assert.equal(decode('gbk', [0x80]), '\u20ac');
    // Streaming across a split pair.
    const decoder = new TextDecoder('shift_jis');
    assert.equal(decoder.decode(new Uint8Array([0x82]), { stream: true }) + decoder.decode(new Uint8Array([0xa0])), '\u3042');
  });
});
