// crypto.subtle in the realm against the host's WebCrypto (library bridge, one process): what the
// realm hands back must be this realm's objects, shaped as WebCrypto's dictionaries say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CryptoKey, createSubtle, setSubtleBridge, type SubtleResult } from '../../src/web/crypto-subtle.js';
import { structuredClone } from '../../src/web/structured-clone.js';
import { collectGarbage } from './gc.js';
import { CALL_OVERHEAD, HostSubtle, KEY_HOST_BYTES, RSA_MAX_MODULUS_LENGTH, librarySubtleBridge } from '../../src/host/crypto-bridge.js';
import { APP_CRYPTO_IN_FLIGHT, CryptoOwner, CryptoScheduler, HOST_CRYPTO_IN_FLIGHT } from '../../src/host/crypto-slots.js';
import type { webcrypto } from 'node:crypto';

const libraryBridge = librarySubtleBridge();
setSubtleBridge(libraryBridge);
const subtle = createSubtle() as unknown as webcrypto.SubtleCrypto;

test('exportKey("jwk"): key_ops is a sequence (an array), and the JWK round-trips through JSON into importKey', async () => {
  const key = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
  const jwk = await subtle.exportKey('jwk', key);
  assert.ok(Array.isArray(jwk.key_ops), 'key_ops is an array');
  assert.deepEqual([...jwk.key_ops!].sort(), ['sign', 'verify']);
  // As wrapKey("jwk") serializes it: the JSON must be what importKey("jwk") accepts.
  const again = await subtle.importKey('jwk', JSON.parse(JSON.stringify(jwk)), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  assert.equal(again.extractable, false);
  // RSA private keys carry their public exponent as bytes of this realm in the algorithm.
  const rsa = await subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  const exponent = (rsa.privateKey.algorithm as webcrypto.RsaHashedKeyAlgorithm).publicExponent;
  assert.ok(exponent instanceof Uint8Array);
  assert.deepEqual([...exponent], [1, 0, 1]);
});

test('unwrapKey("jwk") of a non-extractable JWK wrapped by hand: the key comes back non-extractable', async () => {
  const wrapping = await subtle.generateKey({ name: 'AES-GCM', length: 128 }, true, ['wrapKey', 'unwrapKey', 'encrypt']);
  const key = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
  const jwk = await subtle.exportKey('jwk', key);
  jwk.ext = false;
  const iv = new Uint8Array(12);
  const wrapped = await subtle.encrypt({ name: 'AES-GCM', iv }, wrapping, new TextEncoder().encode(JSON.stringify(jwk)));
  const unwrapped = await subtle.unwrapKey('jwk', wrapped, wrapping, { name: 'AES-GCM', iv }, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  assert.equal(unwrapped.extractable, false);
  await assert.rejects(
    subtle.unwrapKey('jwk', wrapped, wrapping, { name: 'AES-GCM', iv }, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']),
    (e: Error) => e.name === 'DataError',
  );
});

test('exportKey and wrapKey of a non-extractable key: an InvalidAccessError DOMException (Node 20 names it InvalidAccessException)', async () => {
  const key = await subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt']);
  const isInvalidAccess = (e: Error) => e.name === 'InvalidAccessError' && e.constructor.name === 'DOMException' && (e as DOMException).code === 15;
  await assert.rejects(subtle.exportKey('raw', key), isInvalidAccess);
  await assert.rejects(subtle.exportKey('jwk', key), isInvalidAccess);
  const wrapping = await subtle.importKey('raw', new Uint8Array(16), 'AES-KW', false, ['wrapKey']);
  await assert.rejects(subtle.wrapKey('raw', key, wrapping, 'AES-KW'), (e: Error) => e.name === 'InvalidAccessError');
});

test('structuredClone(CryptoKey) is a CryptoKey with the same slots and key; the host key goes when the last copy is collected', async () => {
  // A bridge that tells which handles the realm's keys got and which it released.
  const released: number[] = [];
  let lastKeyHandle = 0;
  setSubtleBridge({
    subtleCall: (id, op, args) => libraryBridge.subtleCall(id, op, args),
    subtleRelease: (handle) => {
      released.push(handle);
      libraryBridge.subtleRelease(handle);
    },
    subtleUpload: (upload, part) => libraryBridge.subtleUpload(upload, part),
    connect: (settle) =>
      libraryBridge.connect!((id: number, result: SubtleResult) => {
        if (result.ok && result.kind === 'key') lastKeyHandle = result.value.handle;
        settle(id, result);
      }),
  });
  const collect = () => collectGarbage();
  try {
    const message = new TextEncoder().encode('m');
    const makeClone = async () => {
      const key = await subtle.importKey('raw', new Uint8Array(32).fill(7), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
      const copy = structuredClone(key) as webcrypto.CryptoKey;
      assert.notEqual(copy, key);
      assert.ok(copy instanceof CryptoKey);
      assert.equal(Object.prototype.toString.call(copy), '[object CryptoKey]');
      assert.equal(copy.type, 'secret');
      assert.equal(copy.extractable, true);
      assert.deepEqual(copy.usages, ['sign', 'verify']);
      assert.deepEqual(copy.algorithm, key.algorithm);
      assert.notEqual(copy.algorithm, key.algorithm, 'the copy has its own algorithm object');
      assert.deepEqual(new Uint8Array(await subtle.sign('HMAC', copy, message)), new Uint8Array(await subtle.sign('HMAC', key, message)));
      // Inside other values, and more than once: each copy is a CryptoKey.
      const { nested } = structuredClone({ nested: [copy, copy] }) as { nested: webcrypto.CryptoKey[] };
      assert.equal(nested[0], nested[1]);
      assert.deepEqual([...new Uint8Array(await subtle.exportKey('raw', nested[0]!))], new Array(32).fill(7));
      return { copy, handle: lastKeyHandle };
    };
    const handle = await (async () => {
      const { copy, handle } = await makeClone();
      await collect();
      assert.ok(!released.includes(handle), 'the original is gone, its copy still holds the host key');
      assert.equal(await subtle.verify('HMAC', copy, await subtle.sign('HMAC', copy, message), message), true);
      return handle;
    })();
    for (let round = 0; round < 10 && !released.includes(handle); round++) await collect();
    assert.equal(released.filter((h) => h === handle).length, 1, 'released once, with the last copy');
  } finally {
    setSubtleBridge(libraryBridge);
  }
});

test('Ed25519 verify: a small-order public key or R is false (Node alone says true), a real signature still true', async () => {
  // A = R = the identity point, S = 0: [S]B = R + [k]A holds for every message.
  const identity = new Uint8Array(32);
  identity[0] = 1;
  const signature = new Uint8Array(64);
  signature.set(identity);
  const message = new Uint8Array([1, 2, 3]);
  const small = await subtle.importKey('raw', identity, 'Ed25519', false, ['verify']);
  assert.equal(await subtle.verify('Ed25519', small, signature, message), false);
  assert.equal(await subtle.verify({ name: 'ed25519' }, small, signature, message), false, 'the name is case-insensitive');
  const pair = (await subtle.generateKey('Ed25519', false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const real = await subtle.sign('Ed25519', pair.privateKey, message);
  assert.equal(await subtle.verify('Ed25519', pair.publicKey, real, message), true);
  // A key without the verify usage is still an InvalidAccessError, not false.
  await assert.rejects(subtle.verify('Ed25519', pair.privateKey, real, message), (e: Error) => e.name === 'InvalidAccessError');
});

test('PBKDF2 above 100,000 iterations is a NotSupportedError (as in Workers); 100,000 derives', async () => {
  const key = await subtle.importKey('raw', new Uint8Array(16), 'PBKDF2', false, ['deriveBits', 'deriveKey']);
  const params = (iterations: number) => ({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(16), iterations });
  assert.equal((await subtle.deriveBits(params(100_000), key, 256)).byteLength, 32);
  await assert.rejects(subtle.deriveBits(params(100_001), key, 256), (e: Error) => e.name === 'NotSupportedError' && /above 100000/.test(e.message));
  await assert.rejects(subtle.deriveKey(params(10_000_000), key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']), { name: 'NotSupportedError' });
});

/** A stand-in WebCrypto whose digests wait until finished by hand; `data[0]` names each. */
function heldDigests() {
  const state = { running: 0, most: 0, started: [] as number[], finishers: [] as (() => void)[] };
  const subtle = {
    digest: (_algorithm: unknown, data: Uint8Array) => {
      state.started.push(data[0]!);
      state.running++;
      state.most = Math.max(state.most, state.running);
      return new Promise<ArrayBuffer>((resolve) => state.finishers.push(() => {
        state.running--;
        resolve(new ArrayBuffer(1));
      }));
    },
  };
  return { state, subtle };
}

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

test("an app's host operations run at most APP_CRYPTO_IN_FLIGHT at once, the rest in order as places free", async () => {
  const { state, subtle } = heldDigests();
  const settled: number[] = [];
  const host = new HostSubtle((id) => void settled.push(id), { subtle, scheduler: new CryptoScheduler() });
  for (let i = 1; i <= 4; i++) host.call(i, 'digest', ['SHA-256', Uint8Array.of(i)]);
  assert.deepEqual(state.started, [1], 'one starts, three wait');
  while (settled.length < 4) {
    state.finishers.shift()!();
    await turn();
  }
  assert.equal(state.most, APP_CRYPTO_IN_FLIGHT);
  assert.deepEqual(state.started, [1, 2, 3, 4]);
  assert.deepEqual(settled, [1, 2, 3, 4]);
});

test('the process runs at most HOST_CRYPTO_IN_FLIGHT operations; apps with work waiting take turns', async () => {
  const { state, subtle } = heldDigests();
  const scheduler = new CryptoScheduler();
  const settled: number[] = [];
  // Three apps: A queues four operations before B and C queue one each.
  const [a, b, c] = [0, 1, 2].map(() => new HostSubtle((id) => void settled.push(id), { subtle, scheduler }));
  for (let i = 1; i <= 4; i++) a!.call(i, 'digest', ['SHA-256', Uint8Array.of(i)]);
  b!.call(11, 'digest', ['SHA-256', Uint8Array.of(11)]);
  c!.call(21, 'digest', ['SHA-256', Uint8Array.of(21)]);
  assert.deepEqual(state.started, [1, 11], "A's first and B's: two slots, one per app");
  while (settled.length < 6) {
    state.finishers.shift()!();
    await turn();
  }
  assert.equal(state.most, HOST_CRYPTO_IN_FLIGHT);
  // Round robin: A's second (A was back in line before C came), then C, before the rest of A's.
  assert.deepEqual(state.started, [1, 11, 2, 21, 3, 4]);
});

test("an isolate's running operations still count to its app after it is replaced; its waiting ones never start", async () => {
  const { state, subtle } = heldDigests();
  const scheduler = new CryptoScheduler();
  const owner = new CryptoOwner();
  const settled: number[] = [];
  const first = new HostSubtle((id) => void settled.push(id), { subtle, scheduler, owner });
  first.call(1, 'digest', ['SHA-256', Uint8Array.of(1)]);
  first.call(2, 'digest', ['SHA-256', Uint8Array.of(2)]);
  first.close(); // the isolate was disposed: 1 runs on, 2 is dropped
  const second = new HostSubtle((id) => void settled.push(id), { subtle, scheduler, owner });
  second.call(3, 'digest', ['SHA-256', Uint8Array.of(3)]);
  assert.deepEqual(state.started, [1], "the new isolate waits for its app's running operation");
  state.finishers.shift()!();
  await turn();
  assert.deepEqual(state.started, [1, 3], 'the dropped operation never started');
  state.finishers.shift()!();
  await turn();
  assert.deepEqual(settled, [1, 3]);
  assert.equal(scheduler.running, 0);
});

test('RSA key generation above 8192 bits is a NotSupportedError; 1024 bits generates', async () => {
  const rsa = (modulusLength: number) => ({ name: 'RSASSA-PKCS1-v1_5', modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' });
  const pair = (await subtle.generateKey(rsa(1024), false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  assert.equal((pair.publicKey.algorithm as { modulusLength?: number }).modulusLength, 1024);
  await assert.rejects(subtle.generateKey(rsa(RSA_MAX_MODULUS_LENGTH + 8), false, ['sign']), (e: Error) => e.name === 'NotSupportedError' && /above 8192 bits/.test(e.message));
  await assert.rejects(subtle.generateKey({ ...rsa(16384), name: 'RSA-OAEP' }, false, ['decrypt']), { name: 'NotSupportedError' });
});

test('data over 1 MiB goes to the host in 1 MiB parts ahead of its call, copied when the call is made; digest, encrypt and sign agree with Node', async () => {
  const { createHash, webcrypto: nodeCrypto } = await import('node:crypto');
  // The file's bridge, wrapped (keys collected from earlier tests are released through it).
  const library = libraryBridge;
  const parts: number[] = [];
  const calls: unknown[][] = [];
  setSubtleBridge({
    ...library,
    subtleUpload: (upload, part) => (parts.push(part.byteLength), library.subtleUpload(upload, part)),
    subtleCall: (id, op, args) => (calls.push(args), library.subtleCall(id, op, args)),
  });
  try {
    const data = new Uint8Array(5 * 1024 * 1024 + 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 10)) & 255;
    const expected = createHash('sha256').update(data).digest();
    const digest = subtle.digest({ name: 'sha-256' }, data);
    // Changed after the call: the digest is of the bytes at the call.
    data[0] = data[0]! ^ 1;
    assert.deepEqual(Buffer.from(await digest), expected);
    assert.deepEqual(parts, [1, 1, 1, 1, 1, 0].map((mib, i) => (i < 5 ? mib * 1024 * 1024 : 3)));
    assert.deepEqual(Object.keys(calls[0]![1] as object), ['$upload', 'length'], 'the call names the upload; the bytes went ahead');
    data[0] = data[0]! ^ 1;
    for (const name of ['SHA-1', 'SHA-384', 'SHA-512']) {
      assert.deepEqual(Buffer.from(await subtle.digest(name, data)), createHash(name.replace('-', '').toLowerCase()).update(data).digest(), name);
    }

    // Whole-data operations get the parts joined.
    const raw = new Uint8Array(16).fill(9);
    const key = await subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    const iv = new Uint8Array(12).fill(1);
    // Data inside the algorithm's dictionary goes as an upload too (100 KiB of additionalData).
    const additionalData = data.subarray(0, 100 * 1024);
    const sealed = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, key, data);
    const nodeKey = await nodeCrypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt']);
    assert.deepEqual(Buffer.from(sealed), Buffer.from(await nodeCrypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, nodeKey, data)));
    assert.deepEqual(Buffer.from(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, key, sealed)), Buffer.from(data));
    const hmac = await subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    const signature = await subtle.sign('HMAC', hmac, data);
    assert.equal(await subtle.verify('HMAC', hmac, signature, data), true);
    assert.ok(parts.every((n) => n <= 1024 * 1024), 'no part over 1 MiB');
  } finally {
    setSubtleBridge(library);
  }
});

test('in an isolate: a digest and an encryption of 3 MiB (uploaded in parts) agree with Node', async () => {
  const { createHash } = await import('node:crypto');
  const { NanoIsolate } = await import('../../src/host/isolate/nano-isolate.js');
  const nano = await NanoIsolate.create({ memoryLimitMb: 64 });
  try {
    const result = (await nano.context.eval(
      `(async () => {
        const data = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => i & 255);
        const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
        const key = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt', 'decrypt']);
        const iv = new Uint8Array(12);
        const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, data);
        const opened = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed));
        return hex(await crypto.subtle.digest('SHA-256', data)) + ' ' + sealed.byteLength + ' ' + opened.every((x, i) => x === data[i]);
      })()`,
      { promise: true },
    )) as string;
    const data = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => i & 255);
    assert.equal(result, `${createHash('sha256').update(data).digest('hex')} ${data.length + 16} true`);
  } finally {
    nano.dispose();
  }
});

test("an app's operations may hold at most maxHeldBytes of data in the host, waiting or running; past it a call is a QuotaExceededError", async () => {
  const { state, subtle } = heldDigests();
  const results = new Map<number, SubtleResultLike>();
  const owner = new CryptoOwner();
  // Each call holds its data and CALL_OVERHEAD.
  const each = 1000 + CALL_OVERHEAD;
  const host = new HostSubtle((id, result) => void results.set(id, result as SubtleResultLike), { subtle, scheduler: new CryptoScheduler(), owner, maxHeldBytes: 3 * each + CALL_OVERHEAD });
  const data = (tag: number) => new Uint8Array(1000).fill(tag);
  for (let i = 1; i <= 3; i++) host.call(i, 'digest', ['SHA-256', data(i)]);
  assert.equal(owner.heldBytes, 3 * each, 'one running, two waiting: all three hold their data');
  host.call(4, 'digest', ['SHA-256', data(4)]);
  assert.equal(results.get(4)?.name, 'QuotaExceededError');
  assert.match(results.get(4)!.message!, new RegExp(`would hold ${4 * each} bytes in the host; they may hold ${3 * each + CALL_OVERHEAD}`));
  // A call without data holds its overhead: one fits, the next does not (a flood of them is bounded too).
  host.call(5, 'digest', ['SHA-256', { name: 'x' }]);
  assert.equal(results.has(5), false);
  host.call(7, 'digest', ['SHA-256', { name: 'x' }]);
  assert.equal(results.get(7)?.name, 'QuotaExceededError');
  // One ends: its bytes are free again.
  state.finishers.shift()!();
  await turn();
  host.call(6, 'digest', ['SHA-256', data(6)]);
  assert.equal(results.has(6), false, 'accepted');
  assert.equal(owner.heldBytes, 3 * each + CALL_OVERHEAD);
});

type SubtleResultLike = { ok: boolean; name?: string; message?: string; value?: { handle: number } };

test("an app's live CryptoKeys count with its operations toward maxHeldBytes: a key past it is a QuotaExceededError, a released one frees its bytes", async () => {
  const results = new Map<number, SubtleResultLike>();
  const owner = new CryptoOwner();
  const keyBytes = KEY_HOST_BYTES + 32; // an HMAC key of 32 bytes
  // Room for three such keys and one call's overhead while the fourth import runs.
  const host = new HostSubtle((id, result) => void results.set(id, result as SubtleResultLike), { scheduler: new CryptoScheduler(), owner, maxHeldBytes: 3 * keyBytes + CALL_OVERHEAD + 32 });
  const importHmac = async (id: number): Promise<SubtleResultLike> => {
    host.call(id, 'importKey', ['raw', new Uint8Array(32).fill(id), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']]);
    while (!results.has(id)) await turn();
    return results.get(id)!;
  };
  for (let id = 1; id <= 3; id++) assert.equal((await importHmac(id)).ok, true);
  assert.equal(owner.heldBytes, 3 * keyBytes, 'three live keys, no operation');
  const refused = await importHmac(4);
  assert.equal(refused.name, 'QuotaExceededError');
  assert.match(refused.message!, /CryptoKeys and crypto operations would hold \d+ bytes in the host/);
  assert.equal(owner.heldBytes, 3 * keyBytes, 'the refused key is not kept');
  host.release(results.get(2)!.value!.handle);
  assert.equal(owner.heldBytes, 2 * keyBytes);
  host.release(results.get(2)!.value!.handle);
  assert.equal(owner.heldBytes, 2 * keyBytes, 'a second release of a handle changes nothing');
  assert.equal((await importHmac(5)).ok, true);
  host.close();
  assert.equal(owner.heldBytes, 0, 'a closed realm frees its keys');
});

test('in an isolate: importing keys until the host would hold limits.memoryMb of them is a QuotaExceededError; collected keys free their room', async () => {
  const { NanoIsolate } = await import('../../src/host/isolate/nano-isolate.js');
  const nano = await NanoIsolate.create({ memoryLimitMb: 8 });
  try {
    const result = (await nano.context.eval(
      `(async () => {
        globalThis.keys = [];
        const raw = new Uint8Array(32);
        for (;;) {
          try {
            keys.push(await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
          } catch (e) {
            return keys.length + ' ' + e.name + ' ' + (e instanceof DOMException);
          }
        }
      })()`,
      { promise: true },
    )) as string;
    const [count, name, isDOMException] = result.split(' ');
    assert.equal(name, 'QuotaExceededError');
    assert.equal(isDOMException, 'true');
    assert.equal(Number(count), Math.floor((8 * 1024 * 1024 - CALL_OVERHEAD - 32) / (KEY_HOST_BYTES + 32)), 'as many as fit beside the importKey call that runs');
    // Dropped and collected keys release their host halves: there is room again.
    const again = (await nano.context.eval(
      `(async () => {
        keys = null;
        let junk = []; for (let i = 0; i < 100; i++) junk.push(new Array(10000).fill(i)); junk = null;
        await new Promise((r) => setTimeout(r, 20));
        const key = await crypto.subtle.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
        return key.type;
      })()`,
      { promise: true },
    )) as string;
    assert.equal(again, 'secret');
  } finally {
    nano.dispose();
  }
});
