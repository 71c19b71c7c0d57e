// The config's validation: every kind of error names the path and the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../src/host/config.js';

const app = (over: Record<string, unknown> = {}) => ({ name: 'a', hostnames: ['a.example.com'], module: 'a.js', ...over });

function problems(value: unknown): string[] {
  try {
    parseConfig(value, 'test.json', '/base');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('the config was accepted');
}

test('a minimal config gets its defaults and absolute module paths', () => {
  const config = parseConfig({ apps: [app()] }, 'test.json', '/base');
  assert.equal(config.server.host, '127.0.0.1');
  assert.equal(config.server.port, 8787);
  assert.equal(config.server.shutdownDeadlineMs, 30_000);
  assert.equal(config.apps[0]!.module, '/base/a.js');
  assert.deepEqual(config.apps[0]!.env, {});
  assert.equal(config.apps[0]!.limits.memoryMb, 128);
  assert.equal(config.apps[0]!.limits.fetchesInFlight, 256);
  assert.equal(config.apps[0]!.limits.logKbPerSecond, 1024);
  assert.equal(config.admin, undefined);
});

test('hostnames are normalised: lowercase, no trailing dot', () => {
  const config = parseConfig({ apps: [app({ hostnames: ['A.Example.COM.', '*.Wild.example'] })] }, 't', '/');
  assert.deepEqual(config.apps[0]!.hostnames, ['a.example.com', '*.wild.example']);
});

const cases: [string, unknown, RegExp][] = [
  ['not an object', [], /^\(root\): /],
  ['apps missing', {}, /^apps: /],
  ['unknown top-level key', { apps: [], extra: 1 }, /extra/],
  ['unknown app key', { apps: [app({ moduel: 'x' })] }, /^apps\[0\]: .*moduel/],
  ['bad app name', { apps: [app({ name: 'has space' })] }, /^apps\[0\]\.name: must be 1-63 letters/],
  ['no hostnames', { apps: [app({ hostnames: [] })] }, /^apps\[0\]\.hostnames: needs at least one hostname/],
  ['bad hostname', { apps: [app({ hostnames: ['ok.com', 'not a host'] })] }, /^apps\[0\]\.hostnames\[1\]: must be a hostname/],
  ['bad wildcard', { apps: [app({ hostnames: ['a.*.com'] })] }, /^apps\[0\]\.hostnames\[0\]: must be a hostname/],
  ['env value not a string', { apps: [app({ env: { N: 1 } })] }, /^apps\[0\]\.env\.N: env values must be strings/],
  ['memory too small', { apps: [app({ limits: { memoryMb: 1 } })] }, /^apps\[0\]\.limits\.memoryMb: /],
  ['negative cpu', { apps: [app({ limits: { cpuMsPerRequest: -5 } })] }, /^apps\[0\]\.limits\.cpuMsPerRequest: /],
  ['no fetch in flight', { apps: [app({ limits: { fetchesInFlight: 0 } })] }, /^apps\[0\]\.limits\.fetchesInFlight: /],
  ['no log rate', { apps: [app({ limits: { logKbPerSecond: 0 } })] }, /^apps\[0\]\.limits\.logKbPerSecond: /],
  ['port out of range', { server: { port: 70000 }, apps: [] }, /^server\.port: /],
  ['trusted proxy not an address', { server: { trustedProxies: ['10.0.0.1', 'proxy.local'] }, apps: [] }, /^server\.trustedProxies\[1\]: must be an IP address or a CIDR/],
  ['trusted proxy prefix too long', { server: { trustedProxies: ['10.0.0.0/33'] }, apps: [] }, /^server\.trustedProxies\[0\]: must be an IP address or a CIDR/],
  ['trusted proxy with two prefixes', { server: { trustedProxies: ['fd00::/8/9'] }, apps: [] }, /^server\.trustedProxies\[0\]: /],
  ['short admin token', { admin: { token: 'short' }, apps: [] }, /^admin\.token: must be at least 16 characters/],
  ['duplicate names', { apps: [app(), app({ hostnames: ['b.example.com'] })] }, /^apps\[1\]\.name: duplicates the name of apps\[0\]/],
  ['hostname claimed twice', { apps: [app(), app({ name: 'b' })] }, /^apps\[1\]\.hostnames\[0\]: "a.example.com" is already routed to app "a"/],
  ['default app missing', { apps: [app()], defaultApp: 'zzz' }, /^defaultApp: no app is named "zzz"/],
  ['assets binding not an identifier', { apps: [app({ assets: { directory: 'public', binding: 'MY-ASSETS' } })] }, /^apps\[0\]\.assets\.binding: must be a JavaScript identifier/],
  ['assets binding an env key', { apps: [app({ env: { ASSETS: 'x' }, assets: { directory: 'public' } })] }, /^apps\[0\]\.assets\.binding: "ASSETS" is already a key of env/],
  ['assets without a directory', { apps: [app({ assets: {} })] }, /^apps\[0\]\.assets\.directory: /],
];
for (const [name, value, pattern] of cases) {
  test(`refused: ${name}`, () => {
    const found = problems(value);
    assert.ok(found.some((p) => pattern.test(p)), `expected ${pattern} in ${JSON.stringify(found)}`);
  });
}

test('loadConfig: unreadable files and bad JSON are ConfigErrors naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nano-config-'));
  await assert.rejects(loadConfig(join(dir, 'missing.json')), (e: unknown) => e instanceof ConfigError && /cannot read the file/.test(e.message));
  await writeFile(join(dir, 'bad.json'), '{ "apps": [ }');
  await assert.rejects(loadConfig(join(dir, 'bad.json')), (e: unknown) => e instanceof ConfigError && /not valid JSON/.test(e.message) && e.message.includes('bad.json'));
  await writeFile(join(dir, 'ok.json'), JSON.stringify({ apps: [app()] }));
  const config = await loadConfig(join(dir, 'ok.json'));
  assert.equal(config.apps[0]!.module, join(dir, 'a.js'));
});
