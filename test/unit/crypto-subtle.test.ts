// crypto.subtle in the realm against the host's WebCrypto (library bridge, one process): what the
// realm hands back must be this realm's objects, shaped as WebCrypto's dictionaries say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSubtle, setSubtleBridge } from '../../src/web/crypto-subtle.js';
import { HostSubtle, SUBTLE_IN_FLIGHT, librarySubtleBridge } from '../../src/host/crypto-bridge.js';
import type { webcrypto } from 'node:crypto';

setSubtleBridge(librarySubtleBridge());
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

test("one isolate's host operations run at most SUBTLE_IN_FLIGHT at once, the rest in order as places free", async () => {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const finishers: (() => void)[] = [];
  const fake = {
    digest: (_algorithm: unknown, data: Uint8Array) => {
      started.push(data[0]!);
      running++;
      most = Math.max(most, running);
      return new Promise<ArrayBuffer>((resolve) => finishers.push(() => {
        running--;
        resolve(new ArrayBuffer(1));
      }));
    },
  };
  const settled: number[] = [];
  const host = new HostSubtle((id) => void settled.push(id), fake);
  for (let i = 1; i <= 6; i++) host.call(i, 'digest', ['SHA-256', Uint8Array.of(i)]);
  assert.deepEqual(started, [1, 2], 'two start, four wait');
  while (settled.length < 6) {
    finishers.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.equal(most, SUBTLE_IN_FLIGHT);
  assert.deepEqual(started, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(settled, [1, 2, 3, 4, 5, 6]);
});
