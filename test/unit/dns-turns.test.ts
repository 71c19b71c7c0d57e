// Outbound fetch()'s DNS lookups take turns on libuv's threadpool (src/host/dns-turns.ts): an
// app runs one lookup at a time, the process two, and an app's names wait for one answer together.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupOptions } from 'node:dns';
import { APP_DNS_IN_FLIGHT, DnsTurns, HOST_DNS_IN_FLIGHT, type LookupAnswer, type LookupCallback } from '../../src/host/dns-turns.js';
import { TurnOwner, TurnScheduler } from '../../src/host/threadpool-turns.js';

/** A resolver that answers only when told, recording what runs at once. */
function heldResolver() {
  const running: { hostname: string; options: LookupOptions; answer: (address: string) => void; fail: (code: string) => void }[] = [];
  const state = { calls: [] as string[], most: 0 };
  const lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    state.calls.push(hostname);
    const entry = {
      hostname,
      options,
      answer: (address: string) => {
        running.splice(running.indexOf(entry), 1);
        if (options.all) setImmediate(callback, null, [{ address, family: address.includes(':') ? 6 : 4 }]);
        else setImmediate(callback, null, address, address.includes(':') ? 6 : 4);
      },
      fail: (code: string) => {
        running.splice(running.indexOf(entry), 1);
        setImmediate(callback, Object.assign(new Error(`${code} ${hostname}`), { code }), '', 0);
      },
    };
    running.push(entry);
    state.most = Math.max(state.most, running.length);
  };
  return { lookup, running, state };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function collect() {
  const answers: { hostname: string; error?: string; address: LookupAnswer }[] = [];
  const callback = (hostname: string): LookupCallback => (error, address) =>
    void answers.push({ hostname, address, ...(error ? { error: error.code ?? error.message } : {}) });
  return { answers, callback };
}

test('an app runs one lookup at a time and the process two; an app with names waiting does not keep the others waiting', async () => {
  assert.equal(APP_DNS_IN_FLIGHT, 1);
  assert.equal(HOST_DNS_IN_FLIGHT, 2);
  const scheduler = new TurnScheduler(HOST_DNS_IN_FLIGHT, APP_DNS_IN_FLIGHT);
  const resolver = heldResolver();
  const app = (owner = new TurnOwner()) => new DnsTurns({ scheduler, owner, lookup: resolver.lookup });
  const a = app();
  const b = app();
  const { answers, callback } = collect();
  // App a asks for 20 names whose resolver does not answer.
  for (let i = 0; i < 20; i++) a.lookup(`slow-${i}.test`, {}, callback(`slow-${i}.test`));
  await tick();
  assert.deepEqual(resolver.state.calls, ['slow-0.test'], "one of a's lookups runs; the other 19 wait for a's turn");
  assert.equal(a.waiting, 20);
  // App b's lookup runs at once beside it, and is answered while a's all still wait.
  b.lookup('fast.test', {}, callback('fast.test'));
  await tick();
  assert.deepEqual(resolver.state.calls, ['slow-0.test', 'fast.test']);
  resolver.running.find((r) => r.hostname === 'fast.test')!.answer('127.0.0.1');
  await tick();
  await tick();
  assert.deepEqual(answers, [{ hostname: 'fast.test', address: '127.0.0.1' }]);
  // b's place is free, but a may run only one: still one of a's lookups running.
  assert.deepEqual(resolver.state.calls, ['slow-0.test', 'fast.test']);
  // a's first answer (an error) lets its next lookup start.
  resolver.running[0]!.fail('ENOTFOUND');
  await tick();
  await tick();
  assert.deepEqual(answers.at(-1), { hostname: 'slow-0.test', address: '', error: 'ENOTFOUND' });
  assert.deepEqual(resolver.state.calls.at(-1), 'slow-1.test');
  assert.equal(a.waiting, 19);
  assert.equal(resolver.state.most, 2);
});

test('three apps with lookups waiting: the process runs two at once, and each app has a turn before any has a third', async () => {
  const scheduler = new TurnScheduler(HOST_DNS_IN_FLIGHT, APP_DNS_IN_FLIGHT);
  const resolver = heldResolver();
  const [a, b, c] = [0, 1, 2].map(() => new DnsTurns({ scheduler, owner: new TurnOwner(), lookup: resolver.lookup }));
  const { callback } = collect();
  for (let i = 0; i < 5; i++) a!.lookup(`a${i}.test`, {}, callback(`a${i}`));
  for (let i = 0; i < 5; i++) b!.lookup(`b${i}.test`, {}, callback(`b${i}`));
  c!.lookup('c0.test', {}, callback('c0'));
  await tick();
  assert.deepEqual(resolver.state.calls, ['a0.test', 'b0.test']);
  // Answer whatever runs, one at a time: the owners with work waiting take turns in a ring.
  for (let i = 0; i < 4; i++) {
    resolver.running[0]!.answer('192.0.2.1');
    await tick();
    await tick();
  }
  assert.deepEqual(resolver.state.calls.slice(0, 5).sort(), ['a0.test', 'a1.test', 'b0.test', 'b1.test', 'c0.test']);
  assert.deepEqual(resolver.state.calls.slice(5), ['a2.test']);
  assert.equal(resolver.state.most, 2);
});

test("an app's lookups of the same name (and options) wait for one answer together; the next asks again", async () => {
  const resolver = heldResolver();
  const dns = new DnsTurns({ scheduler: new TurnScheduler(2, 1), lookup: resolver.lookup });
  const { answers, callback } = collect();
  for (let i = 0; i < 10; i++) dns.lookup('api.test', { all: true }, callback('api.test'));
  dns.lookup('api.test', { family: 6 }, callback('api.test v6'));
  await tick();
  assert.deepEqual(resolver.state.calls, ['api.test'], 'one lookup for the ten; the IPv6 one waits its turn');
  assert.equal(resolver.running[0]!.options.all, true, 'asked as the caller asked (net.connect asks for every address)');
  resolver.running[0]!.answer('192.0.2.7');
  await tick();
  await tick();
  assert.equal(answers.length, 10);
  for (const answer of answers) assert.deepEqual(answer, { hostname: 'api.test', address: [{ address: '192.0.2.7', family: 4 }] });
  assert.deepEqual(resolver.state.calls, ['api.test', 'api.test']);
  assert.equal(resolver.running[0]!.options.family, 6);
  resolver.running[0]!.answer('2001:db8::1');
  await tick();
  await tick();
  dns.lookup('api.test', { all: true }, callback('api.test'));
  await tick();
  assert.equal(resolver.state.calls.length, 3, 'answers are not kept: the next lookup asks again');
});

test('past maxWaiting names a lookup fails at once with EAI_AGAIN; a name already waiting still joins it', async () => {
  const resolver = heldResolver();
  const dns = new DnsTurns({ scheduler: new TurnScheduler(2, 1), lookup: resolver.lookup, maxWaiting: 3 });
  const { answers, callback } = collect();
  for (let i = 0; i < 3; i++) dns.lookup(`n${i}.test`, {}, callback(`n${i}`));
  dns.lookup('n3.test', {}, callback('n3'));
  dns.lookup('n1.test', {}, callback('n1 again'));
  await tick();
  assert.deepEqual(answers, [{ hostname: 'n3', address: '', error: 'EAI_AGAIN' }]);
  resolver.running[0]!.answer('192.0.2.2');
  await tick();
  await tick();
  // n0 answered: a place for one more name.
  dns.lookup('n3.test', {}, callback('n3'));
  await tick();
  assert.equal(dns.waiting, 3);
  assert.equal(answers.filter((a) => a.error === 'EAI_AGAIN').length, 1);
});

test('a resolver that throws at once answers every waiter with its error and frees the turn', async () => {
  const scheduler = new TurnScheduler(1, 1);
  const calls: string[] = [];
  const dns = new DnsTurns({
    scheduler,
    lookup: (hostname, _options, callback) => {
      calls.push(hostname);
      if (hostname === 'bad') throw Object.assign(new TypeError('invalid hostname'), { code: 'ERR_INVALID_ARG_VALUE' });
      setImmediate(callback, null, '192.0.2.3', 4);
    },
  });
  const { answers, callback } = collect();
  dns.lookup('bad', {}, callback('bad'));
  dns.lookup('bad', {}, callback('bad'));
  dns.lookup('good.test', {}, callback('good'));
  await tick();
  await tick();
  assert.deepEqual(calls, ['bad', 'good.test']);
  assert.deepEqual(answers, [
    { hostname: 'bad', address: '', error: 'ERR_INVALID_ARG_VALUE' },
    { hostname: 'bad', address: '', error: 'ERR_INVALID_ARG_VALUE' },
    { hostname: 'good', address: '192.0.2.3' },
  ]);
  assert.equal(scheduler.running, 0);
});

test('a name under localhost that the resolver does not know answers loopback; other names and known ones are left as answered', async () => {
  const known: Record<string, string> = { 'mapped.localhost': '127.0.0.9' };
  const dns = new DnsTurns({
    scheduler: new TurnScheduler(2, 1),
    lookup: (hostname, options, callback) => {
      const address = known[hostname];
      if (address === undefined) return void setImmediate(callback, Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), options.all ? [] : '');
      setImmediate(callback, null, options.all ? [{ address, family: 4 }] : address, 4);
    },
  });
  const ask = (hostname: string, options: LookupOptions) =>
    new Promise<{ error?: string; address: LookupAnswer; family?: number }>((resolve) =>
      dns.lookup(hostname, options, (error, address, family) => resolve({ address, ...(family === undefined ? {} : { family }), ...(error ? { error: error.code! } : {}) })),
    );
  assert.deepEqual(await ask('hello.localhost', { all: true }), { address: [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }] });
  assert.deepEqual(await ask('A.b.LOCALHOST.', { all: true, family: 6 }), { address: [{ address: '::1', family: 6 }] });
  assert.deepEqual(await ask('hello.localhost', {}), { address: '127.0.0.1', family: 4 });
  assert.deepEqual(await ask('hello.localhost', { family: 'IPv6' }), { address: '::1', family: 6 });
  assert.deepEqual(await ask('mapped.localhost', {}), { address: '127.0.0.9', family: 4 }, "the system's answer wins");
  assert.deepEqual(await ask('localhost.example', {}), { address: '', error: 'ENOTFOUND' });
  assert.deepEqual(await ask('notlocalhost', {}), { address: '', error: 'ENOTFOUND' });
});
