// Uint8Array base64 and hex (ES2026, src/runtime/es-builtins/base64.ts) inside an isolate,
// against ECMA-262: shapes, options read in order and validated, padding and last-chunk
// handling, whitespace, base64url, setFromBase64/setFromHex limits, partial writes before an
// error, out-of-bounds targets, and no patched intrinsic or inherited option read needlessly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalInIsolate } from './es-builtins-isolate.js';

test('Uint8Array base64/hex: shapes, encoding, options', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    const err = (f) => { try { f(); return 'no error'; } catch (e) { return e.constructor.name; } };
    const shape = (o, k) => { const d = Object.getOwnPropertyDescriptor(o, k); return [typeof d.value, d.writable, d.enumerable, d.configurable, d.value.name, d.value.length, Object.hasOwn(d.value, 'prototype'), err(() => new d.value(''))]; };
    out.shapes = [shape(Uint8Array, 'fromBase64'), shape(Uint8Array, 'fromHex'), shape(Uint8Array.prototype, 'toBase64'), shape(Uint8Array.prototype, 'toHex'), shape(Uint8Array.prototype, 'setFromBase64'), shape(Uint8Array.prototype, 'setFromHex')];
    const u8 = (...b) => new Uint8Array(b);
    out.toBase64 = [
      u8().toBase64(), u8(102).toBase64(), u8(102, 111).toBase64(), u8(102, 111, 111).toBase64(), u8(102, 111, 111, 98, 97, 114).toBase64(),
      u8(102).toBase64({ omitPadding: true }), u8(102, 111).toBase64({ omitPadding: 1 }),
      u8(0xfb, 0xff).toBase64(), u8(0xfb, 0xff).toBase64({ alphabet: 'base64url' }), u8(0xfb, 0xff).toBase64({ alphabet: 'base64url', omitPadding: true }),
      new Uint8Array(new Uint8Array([1, 2, 3, 4, 5]).buffer, 1, 3).toBase64(),
    ];
    out.toHex = [u8().toHex(), u8(0, 15, 16, 171, 255).toHex(), new Uint8Array(new Uint8Array([1, 2, 3]).buffer, 2).toHex()];
    const log = [];
    const options = { get alphabet() { log.push('alphabet'); return 'base64'; }, get omitPadding() { log.push('omitPadding'); return false; }, get lastChunkHandling() { log.push('lastChunkHandling'); return 'loose'; } };
    u8(1).toBase64(options);
    out.toBase64Order = log.splice(0);
    Uint8Array.fromBase64('AQ==', options);
    out.fromBase64Order = log.splice(0);
    new Uint8Array(1).setFromBase64('AQ==', options);
    out.setFromBase64Order = log.splice(0);
    out.errors = [
      err(() => Uint8Array.prototype.toBase64.call(new Int8Array(1))), err(() => Uint8Array.prototype.toHex.call(new Uint8ClampedArray(1))),
      err(() => Uint8Array.prototype.toBase64.call([1])), err(() => Uint8Array.prototype.setFromHex.call({}, '00')),
      err(() => u8(1).toBase64(null)), err(() => u8(1).toBase64('base64')), err(() => u8(1).toBase64({ alphabet: 'BASE64' })),
      err(() => u8(1).toBase64({ alphabet: new String('base64') })),
      err(() => Uint8Array.fromBase64(new String('AA=='))), err(() => Uint8Array.fromBase64()), err(() => Uint8Array.fromHex(0)),
      err(() => Uint8Array.fromBase64('AA==', { lastChunkHandling: 'Loose' })), err(() => Uint8Array.fromBase64('AA==', { alphabet: 'url' })),
      err(() => new Uint8Array(1).setFromBase64(1)), err(() => new Uint8Array(1).setFromBase64('AA', 1)),
    ];
    // The receiver of the statics is ignored: the result is a %Uint8Array%.
    const viaInt8 = Uint8Array.fromBase64.call(Int8Array, 'AQI=');
    out.receiver = [Object.getPrototypeOf(viaInt8) === Uint8Array.prototype, Object.getPrototypeOf(Uint8Array.fromHex.call(null, '01')) === Uint8Array.prototype];
    // A detached target or source: TypeError, after the options are read.
    const detached = new Uint8Array(4);
    const buffer = detached.buffer;
    if (typeof buffer.transfer === 'function') buffer.transfer(); else structuredClone(buffer, { transfer: [buffer] });
    out.detached = [detached.length, err(() => detached.toBase64(options)), log.splice(0), err(() => detached.toHex()), err(() => detached.setFromBase64('AA==', options)), log.splice(0), err(() => detached.setFromHex('00'))];
    return out;
  `);
  const shape = (name: string, length: number) => ['function', true, false, true, name, length, false, 'TypeError'];
  assert.deepEqual(r.shapes, [shape('fromBase64', 1), shape('fromHex', 1), shape('toBase64', 0), shape('toHex', 0), shape('setFromBase64', 1), shape('setFromHex', 1)]);
  assert.deepEqual(r.toBase64, ['', 'Zg==', 'Zm8=', 'Zm9v', 'Zm9vYmFy', 'Zg', 'Zm8', '+/8=', '-_8=', '-_8', 'AgME']);
  assert.deepEqual(r.toHex, ['', '000f10abff', '03']);
  assert.deepEqual(r.toBase64Order, ['alphabet', 'omitPadding']);
  assert.deepEqual(r.fromBase64Order, ['alphabet', 'lastChunkHandling']);
  assert.deepEqual(r.setFromBase64Order, ['alphabet', 'lastChunkHandling']);
  assert.deepEqual(r.errors, Array(15).fill('TypeError'));
  assert.deepEqual(r.receiver, [true, true]);
  assert.deepEqual(r.detached, [0, 'TypeError', ['alphabet', 'omitPadding'], 'TypeError', 'TypeError', ['alphabet', 'lastChunkHandling'], 'TypeError']);
});

test('Uint8Array base64/hex: decoding, last chunks, whitespace, set* limits and partial writes', { timeout: 30_000 }, async () => {
  const r = await evalInIsolate<Record<string, unknown>>(`
    const out = {};
    const decode = (s, opts) => { try { return [...Uint8Array.fromBase64(s, opts)]; } catch (e) { return e.constructor.name; } };
    const modes = (s) => [undefined, 'loose', 'stop-before-partial', 'strict'].map((m) => decode(s, m === undefined ? undefined : { lastChunkHandling: m }));
    out.lastChunks = {
      padded: modes('Zm9vYg=='), unpadded: modes('Zm9vYg'), three: modes('Zm9vYmE'), extraBits: modes('Zm9vYh=='), extraBitsUnpadded: modes('Zm9vYh'),
      extraBits3: modes('Zm9vYmF='), partialPadding: modes('Zm9vYg='), excessPadding: modes('Zm9vYg==='), lone: modes('Zm9vY'), empty: modes(''),
      onlyPadding: modes('=='), paddingMidway: modes('Zg==Zg=='), whitespaceInPadding: modes('Zm9vYg = =\\n'),
    };
    out.whitespace = [decode(' Zm 9v\\tYm\\nFy\\r\\f'), decode('Zm9v\\u00a0'), decode('Zm9v\\v')];
    out.alphabets = [
      decode('-_8', { alphabet: 'base64url' }), decode('+/8', { alphabet: 'base64url' }), decode('-_8'), decode('+/8='),
      decode('Zm9v%'), decode('Zm9v\\u00ff'), decode('Zm9v\\u{1F600}'),
    ];
    const hex = (s) => { try { return [...Uint8Array.fromHex(s)]; } catch (e) { return e.constructor.name; } };
    out.hex = [hex(''), hex('deadBEEF'), hex('0'), hex('zz'), hex('0g'), hex(' 00'), hex('+1')];
    // setFromBase64 / setFromHex: as much as fits, { read, written }, writes before an error.
    const into = (n, s, opts, method = 'setFromBase64') => {
      const target = new Uint8Array(n);
      let result;
      try { result = target[method](s, opts); } catch (e) { result = e.constructor.name; }
      return [result, [...target]];
    };
    out.set = [
      into(8, 'Zm9vYmFy'), into(4, 'Zm9vYmFy'), into(3, 'Zm9vYmFy'), into(2, 'Zm9vYg'), into(1, 'Zg=='), into(0, 'Zm9v'),
      into(5, 'Zm9vYg'), into(5, 'Zm9vYg', { lastChunkHandling: 'stop-before-partial' }), into(5, 'Zm9vYmE'), into(4, 'Zm9vYmE'),
      into(8, 'Zm9v%Zm9v'), into(8, 'Zm9vY'), into(8, ' Zm9v '), into(4, 'Zm9vYg==', { lastChunkHandling: 'strict' }),
    ];
    out.setHex = [into(2, 'aabbcc', undefined, 'setFromHex'), into(4, 'aabbxx', undefined, 'setFromHex'), into(4, 'aab', undefined, 'setFromHex'), into(4, '', undefined, 'setFromHex')];
    const backing = new Uint8Array(6);
    out.subarray = [backing.subarray(2, 5).setFromBase64('Zm9vYmFy'), [...backing], backing.subarray(1).setFromHex('ff'), [...backing]];
    // A resizable buffer shrunk under a view puts it out of bounds: TypeError.
    let oob = 'no resizable buffers';
    try {
      const rab = new ArrayBuffer(4, { maxByteLength: 8 });
      if (rab.resizable) {
        const view = new Uint8Array(rab, 2, 2);
        rab.resize(3);
        oob = [view.length, ...['toBase64', 'toHex', 'setFromHex'].map((k) => { try { view[k]('00'); return 'no error'; } catch (e) { return e.constructor.name; } })];
      }
    } catch (e) { oob = 'error ' + e; }
    out.oob = oob;
    // Round trips over every byte value.
    const all = new Uint8Array(256).map((_, i) => i);
    out.roundTrip = [
      Uint8Array.fromBase64(all.toBase64()).every((b, i) => b === i), Uint8Array.fromBase64(all.toBase64({ alphabet: 'base64url', omitPadding: true }), { alphabet: 'base64url' }).every((b, i) => b === i),
      Uint8Array.fromHex(all.toHex()).every((b, i) => b === i),
    ];
    // No patched String method, and inherited options only read when an options object is given.
    const saved = [String.prototype.charCodeAt, String.prototype.charAt, String.prototype.slice, Number.prototype.toString, String.fromCharCode];
    let patched = 0, inherited = 0;
    String.prototype.charCodeAt = function () { patched++; return 0; };
    String.prototype.charAt = function () { patched++; return ''; };
    String.prototype.slice = function () { patched++; return ''; };
    Number.prototype.toString = function () { patched++; return ''; };
    String.fromCharCode = function () { patched++; return ''; };
    Object.defineProperty(Object.prototype, 'alphabet', { get() { inherited++; return undefined; }, configurable: true });
    const noOptions = [new Uint8Array([1, 2, 250]).toBase64(), [...Uint8Array.fromBase64('AQL6')], new Uint8Array([1, 250]).toHex(), [...Uint8Array.fromHex('01fa')], new Uint8Array(2).setFromHex('0102')];
    const inheritedBefore = inherited;
    Uint8Array.fromBase64('AQL6', {});
    delete Object.prototype.alphabet;
    [String.prototype.charCodeAt, String.prototype.charAt, String.prototype.slice, Number.prototype.toString, String.fromCharCode] = saved;
    out.patched = [patched, inheritedBefore, inherited, noOptions];
    return out;
  `);
  const foob = [102, 111, 111, 98];
  const foo = [102, 111, 111];
  assert.deepEqual(r.lastChunks, {
    padded: [foob, foob, foob, foob],
    unpadded: [foob, foob, foo, 'SyntaxError'],
    three: [[102, 111, 111, 98, 97], [102, 111, 111, 98, 97], foo, 'SyntaxError'],
    extraBits: [foob, foob, foob, 'SyntaxError'],
    extraBitsUnpadded: [foob, foob, foo, 'SyntaxError'],
    extraBits3: [[102, 111, 111, 98, 97], [102, 111, 111, 98, 97], [102, 111, 111, 98, 97], 'SyntaxError'],
    partialPadding: ['SyntaxError', 'SyntaxError', foo, 'SyntaxError'],
    excessPadding: ['SyntaxError', 'SyntaxError', 'SyntaxError', 'SyntaxError'],
    lone: ['SyntaxError', 'SyntaxError', foo, 'SyntaxError'],
    empty: [[], [], [], []],
    onlyPadding: ['SyntaxError', 'SyntaxError', 'SyntaxError', 'SyntaxError'],
    paddingMidway: ['SyntaxError', 'SyntaxError', 'SyntaxError', 'SyntaxError'],
    whitespaceInPadding: [foob, foob, foob, foob],
  });
  assert.deepEqual(r.whitespace, [[102, 111, 111, 98, 97, 114], 'SyntaxError', 'SyntaxError']);
  assert.deepEqual(r.alphabets, [[0xfb, 0xff], 'SyntaxError', 'SyntaxError', [0xfb, 0xff], 'SyntaxError', 'SyntaxError', 'SyntaxError']);
  assert.deepEqual(r.hex, [[], [0xde, 0xad, 0xbe, 0xef], 'SyntaxError', 'SyntaxError', 'SyntaxError', 'SyntaxError', 'SyntaxError']);
  assert.deepEqual(r.set, [
    [{ read: 8, written: 6 }, [102, 111, 111, 98, 97, 114, 0, 0]],
    [{ read: 4, written: 3 }, [102, 111, 111, 0]],
    [{ read: 4, written: 3 }, [102, 111, 111]],
    [{ read: 0, written: 0 }, [0, 0]],
    [{ read: 4, written: 1 }, [102]],
    [{ read: 0, written: 0 }, []],
    [{ read: 6, written: 4 }, [...foob, 0]],
    [{ read: 4, written: 3 }, [...foo, 0, 0]],
    [{ read: 7, written: 5 }, [102, 111, 111, 98, 97]],
    [{ read: 4, written: 3 }, [...foo, 0]],
    ['SyntaxError', [...foo, 0, 0, 0, 0, 0]],
    ['SyntaxError', [...foo, 0, 0, 0, 0, 0]],
    [{ read: 6, written: 3 }, [...foo, 0, 0, 0, 0, 0]],
    [{ read: 8, written: 4 }, foob],
  ]);
  assert.deepEqual(r.setHex, [
    [{ read: 4, written: 2 }, [0xaa, 0xbb]],
    ['SyntaxError', [0xaa, 0xbb, 0, 0]],
    ['SyntaxError', [0, 0, 0, 0]],
    [{ read: 0, written: 0 }, [0, 0, 0, 0]],
  ]);
  assert.deepEqual(r.subarray, [{ read: 4, written: 3 }, [0, 0, 102, 111, 111, 0], { read: 2, written: 1 }, [0, 255, 102, 111, 111, 0]]);
  if (Array.isArray(r.oob)) assert.deepEqual(r.oob, [0, 'TypeError', 'TypeError', 'TypeError']);
  else assert.equal(r.oob, 'no resizable buffers');
  assert.deepEqual(r.roundTrip, [true, true, true]);
  assert.deepEqual(r.patched, [0, 0, 1, ['AQL6', [1, 2, 250], '01fa', [1, 250], { read: 4, written: 2 }]]);
});
