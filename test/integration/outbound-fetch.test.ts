// The host half of an app's fetch() (src/host/outbound-fetch.ts) on 127.0.0.1: one app's
// fetches in flight are bounded, the rest wait their turn and start as places free.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, request, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { MAX_FETCHES_IN_FLIGHT, OutboundFetch } from '../../src/host/outbound-fetch.js';
import { zstdNeedsDecoding } from '../../src/host/zstd-decoding.js';
import type { ChunkReader } from '../../src/host/http-fetch.js';
import type { FetchResult } from '../../src/runtime/fetch.js';
import { APP_DNS_IN_FLIGHT, HOST_DNS_IN_FLIGHT, type Lookup } from '../../src/host/dns-turns.js';
import { TurnScheduler } from '../../src/host/threadpool-turns.js';
import { get, sleep, startServer, until } from './helpers.js';

test("an app's fetches in flight are bounded; a waiting one starts when another ends", { timeout: 30_000 }, async () => {
  const held: ServerResponse[] = [];
  let connections = 0;
  const upstream = createServer((_req, res) => void held.push(res)); // answers only when told
  upstream.on('connection', () => connections++);
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
  const settled: number[] = [];
  const fetches = new OutboundFetch(
    { settle: (id) => void settled.push(id), push: () => {}, drain: () => {}, cancelUpload: () => {} },
    ['127.0.0.1'],
  );
  try {
    const total = MAX_FETCHES_IN_FLIGHT + 20;
    for (let id = 1; id <= total; id++) fetches.start(-id, { method: 'GET', url, headers: [], redirect: 'follow', body: false });
    await until(() => held.length === MAX_FETCHES_IN_FLIGHT, 10_000);
    await sleep(200);
    assert.equal(held.length, MAX_FETCHES_IN_FLIGHT, 'no more requests than places');
    assert.equal(connections, MAX_FETCHES_IN_FLIGHT);
    // One answered with no body (its fetch ends), one aborted: two waiting fetches start.
    held[0]!.writeHead(204).end();
    fetches.abort(-2, 'stop');
    await until(() => held.length === MAX_FETCHES_IN_FLIGHT + 2, 10_000);
    assert.ok(settled.includes(-1));
  } finally {
    fetches.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test("an app's limits.fetchesInFlight bounds its fetch() calls; each waiting one is answered in turn", { timeout: 60_000 }, async () => {
  const held: ServerResponse[] = [];
  const upstream = createServer((req, res) => void held.push(Object.assign(res, { path: req.url })));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const t = await startServer(
    { 'fan.js': `export default { async fetch(request) {
        const base = new URL(request.url).searchParams.get('to');
        const texts = await Promise.all(Array.from({ length: 10 }, (_, i) => fetch(base + '/' + i).then((r) => r.text())));
        return new Response(texts.join(','));
      } };` },
    (dir) => ({ apps: [{ name: 'fan', hostnames: ['fan.test'], module: `${dir}/fan.js`, fetchAllow: ['127.0.0.1'], limits: { fetchesInFlight: 3 } }] }),
  );
  try {
    const reply = get(t.port, 'fan.test', `/?to=${encodeURIComponent(origin)}`, { timeoutMs: 30_000 });
    await until(() => held.length === 3, 10_000);
    await sleep(200);
    assert.equal(held.length, 3, 'three places: the other seven wait');
    // Answer whatever arrives, one at a time: each answer lets one waiting fetch start.
    for (let answered = 0; answered < 10; answered++) {
      await until(() => held.length > answered, 10_000);
      assert.ok(held.length - answered <= 3, `never more than three in flight (${held.length - answered})`);
      const res = held[answered]! as ServerResponse & { path: string };
      res.end(res.path.slice(1));
    }
    assert.equal((await reply).text, '0,1,2,3,4,5,6,7,8,9');
  } finally {
    await t.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test('a known request body over 1 MiB goes to the host in parts and arrives whole, with its Content-Length, also after a 307', { timeout: 60_000 }, async () => {
  const { createHash } = await import('node:crypto');
  const seen: { path: string; length: string | undefined; hash: string }[] = [];
  const upstream = createServer((req, res) => {
    const hash = createHash('sha256');
    req.on('data', (chunk: Buffer) => hash.update(chunk));
    req.on('end', () => {
      seen.push({ path: req.url!, length: req.headers['content-length'], hash: hash.digest('hex') });
      if (req.url === '/redirect') res.writeHead(307, { location: '/final' }).end();
      else res.end('ok');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const t = await startServer(
    { 'post.js': `export default { async fetch(request) {
        const data = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => (i * 13) & 255);
        const r = await fetch(new URL(request.url).searchParams.get('to') + '/redirect', { method: 'POST', body: data });
        return new Response(r.status + ' ' + (await r.text()));
      } };` },
    (dir) => ({ apps: [{ name: 'post', hostnames: ['post.test'], module: `${dir}/post.js`, fetchAllow: ['127.0.0.1'] }] }),
  );
  try {
    const reply = await get(t.port, 'post.test', `/?to=${encodeURIComponent(origin)}`, { timeoutMs: 30_000 });
    assert.equal(reply.text, '200 ok');
    const data = new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => (i * 13) & 255);
    const expected = createHash('sha256').update(data).digest('hex');
    assert.deepEqual(seen, [
      { path: '/redirect', length: String(data.length), hash: expected },
      { path: '/final', length: String(data.length), hash: expected },
    ]);
  } finally {
    await t.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test("an app's fetches may hold at most maxHeldBytes in the host (URL, headers, request body), waiting or in flight; past it a fetch fails at once", { timeout: 30_000 }, async () => {
  const held: ServerResponse[] = [];
  const upstream = createServer((req, res) => {
    req.resume();
    held.push(res);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
  const settled = new Map<number, unknown>();
  // One fetch in flight at a time: the others wait, holding their bodies all the same.
  const cost = 1024 + url.length + 4000;
  const fetches = new OutboundFetch(
    { settle: (id, result) => void settled.set(id, result), push: () => {}, drain: () => {}, cancelUpload: () => {} },
    ['127.0.0.1'],
    1,
    2 * cost + 10,
  );
  const post = (id: number) => fetches.start(id, { method: 'POST', url, headers: [], redirect: 'follow', body: true, bytes: new Uint8Array(4000) });
  try {
    post(-1);
    post(-2);
    post(-3);
    assert.match(String((settled.get(-3) as { error?: string })?.error), /would hold more than \d+ bytes in the host/);
    assert.equal(settled.has(-1) || settled.has(-2), false, 'the first two are accepted (one runs, one waits)');
    // One ends: its bytes are free for another.
    fetches.abort(-2, 'stop');
    post(-4);
    assert.equal(settled.has(-4), false);
    // A known body sent in parts counts as it arrives: past the budget its fetch fails at its start.
    for (let i = 0; i < 3; i++) fetches.upload(-5, new Uint8Array(4000));
    fetches.start(-5, { method: 'POST', url, headers: [], redirect: 'follow', body: true, uploaded: true });
    assert.match(String((settled.get(-5) as { error?: string })?.error), /would hold more than/);
    await until(() => held.length === 1, 10_000);
  } finally {
    fetches.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test('a zstd response is decoded for the app; passed on as it came, it reaches the client decoded, without the Content-Encoding', { timeout: 30_000 }, async () => {
  // `zstd -19` of "Hello, zstd!\n".
  const frame = Buffer.from('28b52ffd240d69000048656c6c6f2c207a737464210a41b453b2', 'hex');
  const upstream = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'zstd' });
    res.end(req.url === '/bad' ? frame.subarray(0, 20) : frame);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const t = await startServer(
    {
      'zstd.js': `export default { async fetch(request) {
        const { searchParams } = new URL(request.url);
        const upstream = await fetch(searchParams.get('to'));
        if (searchParams.has('pass')) return upstream;
        try {
          return new Response('text: ' + await upstream.text());
        } catch (e) {
          return new Response(e.name + ': ' + e.message, { status: 502 });
        }
      } };`,
    },
    (dir) => ({ apps: [{ name: 'zstd', hostnames: ['zstd.test'], module: `${dir}/zstd.js`, fetchAllow: ['127.0.0.1'] }] }),
  );
  try {
    const read = await get(t.port, 'zstd.test', `/?to=${encodeURIComponent(origin + '/')}`);
    assert.equal(read.text, 'text: Hello, zstd!\n');
    const passed = await get(t.port, 'zstd.test', `/?pass&to=${encodeURIComponent(origin + '/')}`);
    assert.equal(passed.text, 'Hello, zstd!\n');
    assert.equal(passed.headers['content-encoding'], undefined);
    const bad = await get(t.port, 'zstd.test', `/?to=${encodeURIComponent(origin + '/bad')}`);
    assert.equal(bad.status, 502);
    assert.match(bad.text, /^TypeError: /);
  } finally {
    await t.close();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

/**
 * An upstream serving zstd frames with an 8 MiB window (descriptor 0x68) of raw blocks "hello":
 * '/held' sends the header and two blocks (fzstd takes a frame's first 18 bytes together) and
 * the last block when the next of `finish` is called; any other path the whole frame at once.
 */
async function zstdUpstream() {
  const hex = (h: string): Buffer => Buffer.from(h, 'hex');
  const header = hex('28b52ffd0068');
  const block = hex('280000' + '68656c6c6f');
  const last = hex('290000' + '68656c6c6f');
  const finish: (() => void)[] = [];
  const upstream = createServer((req, res) => {
    res.writeHead(200, { 'content-encoding': 'zstd' });
    if (req.url === '/held') {
      res.write(Buffer.concat([header, block, block]));
      finish.push(() => res.end(last));
    } else res.end(Buffer.concat([header, block, last]));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    finish,
    async close() {
      for (const end of finish.splice(0)) end();
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    },
  };
}

/**
 * An OutboundFetch (8 in flight; one 8 MiB zstd window and the fetches' own records fit its held
 * bytes, two windows do not) whose settles and body chunks are recorded per fetch id; `pull`:
 * each body is pulled as its fetch settles.
 */
function recordingFetches(origin: string, pull: boolean) {
  const settled = new Set<number>();
  const bodies = new Map<number, { text: string; done: boolean; error?: string }>();
  const fetches: OutboundFetch = new OutboundFetch(
    {
      settle: (id, result) => {
        settled.add(id);
        bodies.set(id, { text: '', done: false, ...('error' in result ? { error: result.error } : {}) });
        if (pull && 'status' in result) fetches.pull(id, 1 << 30);
      },
      push: (id, chunk, error) => {
        const body = bodies.get(id)!;
        if (chunk) body.text += Buffer.from(chunk).toString();
        else Object.assign(body, { done: true }, error === undefined ? {} : { error });
      },
      drain: () => {},
      cancelUpload: () => {},
    },
    ['127.0.0.1'],
    8,
    8 * 1024 * 1024 + 64 * 1024,
  );
  const get = (id: number, path: string) => fetches.start(id, { method: 'GET', url: origin + path, headers: [], redirect: 'follow', body: false });
  return { fetches, bodies, settled, get };
}

test("a zstd body's frame window counts against the app's held bytes while its fetch lasts; past them the body fails", { timeout: 30_000, skip: !zstdNeedsDecoding && 'undici decodes zstd here' }, async () => {
  const upstream = await zstdUpstream();
  // Every body pulled as its fetch settles.
  const { fetches, bodies, get } = recordingFetches(upstream.origin, true);
  try {
    get(-1, '/held');
    await until(() => bodies.get(-1)?.text === 'hellohello', 10_000);
    // The first body holds its window: a second frame's window is refused, its body fails.
    get(-2, '/whole');
    await until(() => bodies.get(-2)?.done === true, 10_000);
    assert.equal(bodies.get(-2)!.text, '');
    assert.match(String(bodies.get(-2)!.error), /window of 8388608 bytes: the app's fetches would hold more than 8454144 bytes in the host/);
    // The first ends: its window is free for another.
    upstream.finish.shift()!();
    await until(() => bodies.get(-1)?.done === true, 10_000);
    assert.deepEqual(bodies.get(-1), { text: 'hellohellohello', done: true });
    get(-3, '/whole');
    await until(() => bodies.get(-3)?.done === true, 10_000);
    assert.deepEqual(bodies.get(-3), { text: 'hellohello', done: true });
  } finally {
    fetches.close();
    await upstream.close();
  }
});

test("a zstd body piped host to host (takeBody) holds its window against the app's budget until it ends", { timeout: 30_000, skip: !zstdNeedsDecoding && 'undici decodes zstd here' }, async () => {
  const upstream = await zstdUpstream();
  const { finish } = upstream;
  // Bodies left to takeBody: none is pulled.
  const { fetches, bodies, settled, get } = recordingFetches(upstream.origin, false);
  const readAll = async (reader: ChunkReader, until?: string) => {
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += Buffer.from(value).toString();
      if (text === until) return text;
    }
  };
  try {
    // The app returns the first response unread: its body goes to the client from the host.
    get(-1, '/held');
    await until(() => settled.has(-1), 10_000);
    const piped = fetches.takeBody(-1)!;
    assert.equal(await readAll(piped, 'hellohello'), 'hellohello');
    // Its flight is over, but its window is still allocated: another zstd body is refused.
    get(-2, '/whole');
    await until(() => settled.has(-2), 10_000);
    fetches.pull(-2, 1 << 30);
    await until(() => bodies.get(-2)?.done === true, 10_000);
    assert.match(String(bodies.get(-2)!.error), /window of 8388608 bytes: the app's fetches would hold more than/);
    // The piped body ends: its window is free.
    finish.shift()!();
    assert.equal(await readAll(piped), 'hello');
    get(-3, '/whole');
    await until(() => settled.has(-3), 10_000);
    fetches.pull(-3, 1 << 30);
    await until(() => bodies.get(-3)?.done === true, 10_000);
    assert.deepEqual(bodies.get(-3), { text: 'hellohello', done: true });
    // A piped body cancelled (the client went away) frees its window too.
    get(-4, '/held');
    await until(() => settled.has(-4), 10_000);
    const cancelled = fetches.takeBody(-4)!;
    assert.equal(await readAll(cancelled, 'hellohello'), 'hellohello');
    await cancelled.cancel(new Error('The client disconnected.'));
    get(-5, '/whole');
    await until(() => settled.has(-5), 10_000);
    fetches.pull(-5, 1 << 30);
    await until(() => bodies.get(-5)?.done === true, 10_000);
    assert.deepEqual(bodies.get(-5), { text: 'hellohello', done: true });
  } finally {
    fetches.close();
    await upstream.close();
  }
});

test("host names resolve in turns: an app whose names do not resolve holds one lookup, not another app's fetch", { timeout: 30_000 }, async () => {
  const upstream = createServer((_req, res) => res.end('fast'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as AddressInfo).port;
  // A resolver where fast.test is 127.0.0.1 and every other name never answers (until the end).
  const hung: (() => void)[] = [];
  const asked: string[] = [];
  const lookup: Lookup = (hostname, options, callback) => {
    asked.push(hostname);
    if (hostname !== 'fast.test') {
      hung.push(() => callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []));
    } else if (options.all) {
      setImmediate(callback, null, [{ address: '127.0.0.1', family: 4 }]);
    } else {
      setImmediate(callback, null, '127.0.0.1', 4);
    }
  };
  const scheduler = new TurnScheduler(HOST_DNS_IN_FLIGHT, APP_DNS_IN_FLIGHT);
  const settled = new Map<number, { status?: number; error?: string }>();
  const app = () =>
    new OutboundFetch(
      { settle: (id, result) => void settled.set(id, result as { status?: number }), push: () => {}, drain: () => {}, cancelUpload: () => {} },
      ['127.0.0.1'],
      MAX_FETCHES_IN_FLIGHT,
      Infinity,
      { scheduler, lookup },
    );
  const slow = app();
  const other = app();
  const get = (fetches: OutboundFetch, id: number, host: string) =>
    fetches.start(id, { method: 'GET', url: `http://${host}:${port}/`, headers: [], redirect: 'follow', body: false });
  try {
    for (let i = 1; i <= 50; i++) get(slow, -i, `slow-${i}.test`);
    await until(() => asked.length === 1, 5_000);
    get(other, -100, 'fast.test');
    await until(() => settled.has(-100), 5_000);
    assert.equal(settled.get(-100)!.status, 200, `the other app's fetch is answered: ${JSON.stringify(settled.get(-100))}`);
    assert.deepEqual(asked, ['slow-1.test', 'fast.test'], 'one of the 50 lookups ran; the other 49 wait their turn');
    // Its one lookup fails: that fetch fails, and the app's next lookup runs.
    hung.shift()!();
    await until(() => settled.has(-1) && asked.length === 3, 5_000);
    assert.match(String(settled.get(-1)!.error), /fetch failed|ENOTFOUND/);
    assert.equal(asked[2], 'slow-2.test');
  } finally {
    for (const answer of hung.splice(0)) answer();
    slow.close();
    other.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test("an app's fetch() to a host name is answered (net.connect asks the lookup for every address)", { timeout: 60_000 }, async () => {
  // Before, every fetch() to a name failed ("Invalid IP address: undefined"): net.connect asks for
  // all addresses (Node 20's autoSelectFamily) and the host's policy check answered with one.
  const upstream = createServer((req, res) => res.end(`hello from ${req.headers.host}`));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as AddressInfo).port;
  const t = await startServer(
    { 'named.js': `export default { async fetch(request) {
        const to = new URL(request.url).searchParams.get('to');
        try { const r = await fetch(to); return new Response(r.status + ' ' + await r.text()); }
        catch (e) { return new Response(String(e && e.message), { status: 502 }); }
      } };` },
    (dir) => ({
      apps: [
        { name: 'named', hostnames: ['named.test'], module: `${dir}/named.js`, fetchAllow: ['127.0.0.1', '::1'] },
        { name: 'strict', hostnames: ['strict.test'], module: `${dir}/named.js` },
      ],
    }),
  );
  try {
    const to = encodeURIComponent(`http://localhost:${port}/`);
    const reply = await get(t.port, 'named.test', `/?to=${to}`);
    assert.equal(reply.text, `200 hello from localhost:${port}`);
    // A name under localhost, which glibc does not resolve: loopback (RFC 6761).
    const sub = await get(t.port, 'named.test', `/?to=${encodeURIComponent(`http://api.localhost:${port}/`)}`);
    assert.equal(sub.text, `200 hello from api.localhost:${port}`);
    // The policy still holds for a name: localhost is internal, and this app does not list it.
    const refused = await get(t.port, 'strict.test', `/?to=${to}`);
    assert.equal(refused.status, 502);
    assert.match(refused.text, /fetch failed|refused/);
  } finally {
    await t.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test('a name with addresses allowed and refused is connected to the allowed ones only; with none allowed it is refused', { timeout: 30_000 }, async () => {
  const upstream = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as AddressInfo).port;
  const records: Record<string, string[]> = { 'mixed.test': ['127.0.0.2', '127.0.0.1'], 'internal.test': ['127.0.0.2'] };
  const lookup: Lookup = (hostname, options, callback) => {
    const addresses = records[hostname]!.map((address) => ({ address, family: 4 }));
    if (options.all) setImmediate(callback, null, addresses);
    else setImmediate(callback, null, addresses[0]!.address, 4);
  };
  const settled = new Map<number, { status?: number; error?: string }>();
  const fetches = new OutboundFetch(
    { settle: (id, result) => void settled.set(id, result as { status?: number }), push: () => {}, drain: () => {}, cancelUpload: () => {} },
    ['127.0.0.1'],
    MAX_FETCHES_IN_FLIGHT,
    Infinity,
    { scheduler: new TurnScheduler(2, 1), lookup },
  );
  try {
    for (const [id, host] of [[-1, 'mixed.test'], [-2, 'internal.test']] as const) {
      fetches.start(id, { method: 'GET', url: `http://${host}:${port}/`, headers: [], redirect: 'follow', body: false });
    }
    await until(() => settled.has(-1) && settled.has(-2), 10_000);
    assert.equal(settled.get(-1)!.status, 200, JSON.stringify(settled.get(-1)));
    assert.match(String(settled.get(-2)!.error), /fetch failed|internal address/);
  } finally {
    fetches.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test('fetch() over HTTPS, by name and by address: a certificate the host trusts is accepted, an unknown one refused', { timeout: 60_000 }, async () => {
  const script = fileURLToPath(new URL('./fixtures/tls/fetch-https.ts', import.meta.url));
  const cert = fileURLToPath(new URL('./fixtures/tls/localhost.crt', import.meta.url));
  const run = (env: NodeJS.ProcessEnv) =>
    new Promise<Record<string, { status?: number; error?: string }>>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', script], { env, timeout: 30_000 }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!));
      });
    });
  const { NODE_EXTRA_CA_CERTS: _, ...env } = process.env;
  const trusted = await run({ ...env, NODE_EXTRA_CA_CERTS: cert });
  assert.deepEqual(trusted, { localhost: { status: 200 }, '127.0.0.1': { status: 200 } });
  const unknown = await run(env);
  assert.match(String(unknown.localhost?.error), /self[- ]signed certificate/);
  assert.match(String(unknown['127.0.0.1']?.error), /self[- ]signed certificate/);
});

test("fetch() sends navigator.userAgent as the User-Agent when the request has none, and the app's own when it has one", { timeout: 30_000 }, async () => {
  const upstream = createServer((req, res) => res.end(String(req.headers['user-agent'])));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as AddressInfo).port;
  const t = await startServer(
    { 'ua.js': `export default { async fetch(request) {
        const own = new URL(request.url).searchParams.get('own');
        const r = await fetch('http://127.0.0.1:${port}/', own ? { headers: { 'User-Agent': own } } : {});
        return new Response(navigator.userAgent + ' | ' + await r.text());
      } };` },
    (dir) => ({ apps: [{ name: 'ua', hostnames: ['ua.test'], module: `${dir}/ua.js`, fetchAllow: ['127.0.0.1'] }] }),
  );
  try {
    const [navigatorUA, sent] = (await get(t.port, 'ua.test', '/')).text.split(' | ');
    assert.match(navigatorUA!, /^NANO\//);
    assert.equal(sent, navigatorUA, 'the default User-Agent (it was undici\'s: "undici")');
    assert.equal((await get(t.port, 'ua.test', '/?own=my-client/2.0')).text.split(' | ')[1], 'my-client/2.0');
  } finally {
    await t.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

test('a small body that came whole with its head crosses with it and frees its place at once; a long one waits to be pulled, holding its place', { timeout: 30_000 }, async () => {
  const upstream = createServer((req, res) => res.end(req.url === '/long' ? Buffer.alloc(1024 * 1024, 97) : 'small'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const results = new Map<number, FetchResult>();
  const pushed: number[] = [];
  // One place: a second fetch starts only when the first is over for the host.
  const fetches = new OutboundFetch(
    {
      settle: (id, result) => results.set(id, result),
      push: (id) => pushed.push(id),
      drain: () => {},
      cancelUpload: () => {},
    },
    ['127.0.0.1'],
    1,
  );
  const get = (id: number, path: string) => fetches.start(id, { method: 'GET', url: origin + path, headers: [], redirect: 'follow', body: false });
  try {
    get(-1, '/small');
    get(-2, '/long');
    get(-3, '/small');
    // -1's body came with its head: -2 started without anyone reading -1.
    await until(() => results.has(-2), 10_000, 'the second fetch to settle');
    const small = results.get(-1) as Extract<FetchResult, { status: number }>;
    assert.equal(small.body, true);
    assert.equal(Buffer.from(small.bytes!).toString(), 'small');
    // -2's megabyte did not: it is pulled, and holds the one place until it ends.
    const long = results.get(-2) as Extract<FetchResult, { status: number }>;
    assert.equal(long.bytes, undefined);
    await sleep(300);
    assert.equal(results.has(-3), false);
    fetches.pull(-2, 1 << 30);
    await until(() => results.has(-3), 10_000, 'the third fetch to settle once the second ended');
    assert.ok(pushed.includes(-2));
    assert.equal(pushed.includes(-1), false);
  } finally {
    fetches.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

// undici refuses a request with Transfer-Encoding, Keep-Alive, Upgrade or Expect among its
// headers ("invalid transfer-encoding header"), and one whose Content-Length its known body does
// not match: an app forwarding an incoming request's headers (a chunked upload, curl's Expect:
// 100-continue) failed with a TypeError. The host frames the request itself.
test("the app's connection fields are not sent: a forwarded chunked upload, and a known body with the app's framing headers", { timeout: 30_000 }, async () => {
  const seen: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const upstream = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const to = encodeURIComponent(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`);
  const t = await startServer(
    {
      'forward.js': `export default { async fetch(request) {
        const to = new URL(request.url).searchParams.get('to');
        const r = await fetch(to, { method: 'POST', headers: request.headers, body: request.body, duplex: 'half' });
        return new Response(await r.text());
      } };`,
      'framed.js': `export default { async fetch(request) {
        const to = new URL(request.url).searchParams.get('to');
        const headers = { 'transfer-encoding': 'chunked', expect: '100-continue', 'keep-alive': 'timeout=5', upgrade: 'websocket',
          connection: 'keep-alive, x-hop', 'x-hop': '1', 'content-length': '999', 'x-kept': 'yes' };
        const r = await fetch(to, { method: 'POST', headers, body: 'abc' });
        return new Response(await r.text());
      } };`,
    },
    (dir) => ({
      apps: [
        { name: 'forward', hostnames: ['forward.test'], module: `${dir}/forward.js`, fetchAllow: ['127.0.0.1'] },
        { name: 'framed', hostnames: ['framed.test'], module: `${dir}/framed.js`, fetchAllow: ['127.0.0.1'] },
      ],
    }),
  );
  try {
    // A chunked upload with Expect: 100-continue, as curl sends a large one.
    const forwarded = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: t.port, path: `/?to=${to}`, method: 'POST', headers: { host: 'forward.test', expect: '100-continue', 'x-kept': 'yes' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.on('continue', () => {
        req.write('part one, ');
        req.end('part two');
      });
    });
    assert.deepEqual(forwarded, { status: 200, text: 'ok' });
    assert.equal(seen[0]!.body, 'part one, part two');
    assert.equal(seen[0]!.headers['x-kept'], 'yes');
    assert.equal(seen[0]!.headers['expect'], undefined);

    const framed = await get(t.port, 'framed.test', `/?to=${to}`);
    assert.equal(framed.status, 200, framed.text);
    const { headers, body } = seen[1]!;
    assert.equal(body, 'abc');
    assert.equal(headers['content-length'], '3');
    assert.equal(headers['transfer-encoding'], undefined);
    for (const name of ['expect', 'keep-alive', 'upgrade', 'x-hop']) assert.equal(headers[name], undefined, name);
    assert.equal(headers['x-kept'], 'yes');
  } finally {
    await t.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});

// EventSource, which Workers and Deno have: its stream read through the app's fetch() as it
// arrives, reconnected with Last-Event-ID when it ends.
test('EventSource in an app: events as they arrive, a reconnection with Last-Event-ID, close() ends the fetch', { timeout: 30_000 }, async () => {
  const requests: (string | undefined)[] = [];
  let closed = 0;
  const upstream = createServer((req, res) => {
    requests.push(req.headers['last-event-id'] as string | undefined);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    req.on('close', () => closed++);
    if (requests.length === 1) res.end('retry: 100\nid: 1\ndata: first\n\n');
    else res.write(`event: again\ndata: after ${req.headers['last-event-id']}\n\n`); // held open
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const to = encodeURIComponent(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}/events`);
  const t = await startServer(
    {
      'sse.js': `export default { async fetch(request) {
        const source = new EventSource(new URL(request.url).searchParams.get('to'));
        const log = [];
        await new Promise((resolve) => {
          source.onopen = () => log.push('open');
          source.onerror = () => log.push('error ' + source.readyState);
          source.onmessage = (e) => log.push('message ' + e.data + ' ' + e.lastEventId);
          source.addEventListener('again', (e) => { log.push('again ' + e.data + ' ' + e.lastEventId); source.close(); resolve(); });
        });
        return Response.json(log);
      } };`,
    },
    (dir) => ({ apps: [{ name: 'sse', hostnames: ['sse.test'], module: `${dir}/sse.js`, fetchAllow: ['127.0.0.1'] }] }),
  );
  try {
    const reply = await get(t.port, 'sse.test', `/?to=${to}`);
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(JSON.parse(reply.text), ['open', 'message first 1', 'error 0', 'open', 'again after 1 1']);
    assert.deepEqual(requests, [undefined, '1']);
    await until(() => closed === 2, 5_000, 'the held-open stream closed by close()');
  } finally {
    await t.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});
