// The isolate half of fetch() (src/runtime/fetch.ts) against a fake host: what it sends, and that
// a fetch's abort algorithm leaves its signal once the fetch is over (a long-lived signal used
// for many fetches must not keep one per fetch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setURLBridge } from '../../src/web/url.js';
import { nodeURLBridge } from '../../src/host/url-node.js';
import { FetchClient, type FetchHost, type FetchRequestHead } from '../../src/runtime/fetch.js';
import { BodyChannels } from '../../src/runtime/body-channels.js';
import { AbortController, abortSignalCounts } from '../../src/web/abort.js';
import { Request } from '../../src/web/fetch/request.js';
import { collectGarbage } from './gc.js';
import type { Response } from '../../src/web/fetch/response.js';

setURLBridge(nodeURLBridge);

function fakeHost() {
  const started: [number, FetchRequestHead][] = [];
  const aborted: number[] = [];
  const host = {
    fetchStart: (id: number, head: FetchRequestHead) => void started.push([id, head]),
    fetchAbort: (id: number) => void aborted.push(id),
    bodyPull: () => {},
    bodyCancel: () => {},
    responseWrite: () => {},
    responseEnd: () => {},
    responseError: () => {},
    log: () => {},
  } as unknown as FetchHost;
  return { host, started, aborted };
}

const HEAD = { status: 200, statusText: 'OK', headers: [] as [string, string][], url: 'http://h/', redirected: false };

test('a known body goes to the host whole, with the headers in their first casing, combined', async () => {
  const { host, started } = fakeHost();
  const client = new FetchClient(host, new BodyChannels());
  void client.fetch('http://h/x', { method: 'POST', body: 'hi', headers: [['X-A', '1'], ['x-a', '2']] });
  const [, head] = started[0]!;
  assert.deepEqual([...head.bytes!], [...new TextEncoder().encode('hi')]);
  assert.deepEqual(head.headers.find(([n]) => n.toLowerCase() === 'x-a'), ['X-A', '1, 2']);
});

test("a fetch's abort algorithm goes when the fetch ends (network error, no body, body read to its end), so its signal is not retained", async () => {
  const { host, started } = fakeHost();
  const bodies = new BodyChannels();
  const client = new FetchClient(host, bodies);
  const { signal } = new AbortController();
  const idOf = (n: number) => started[n]![0];
  const retained = () => abortSignalCounts(signal as never).retained;
  const before = retained();

  const failed = client.fetch('http://h/1', { signal });
  assert.equal(retained(), before + 1, "the request's signal follows `signal` and has fetch's abort algorithm");
  client.settle(idOf(0), { error: 'refused' });
  await assert.rejects(failed, TypeError);
  assert.equal(retained(), before, 'after a network error');

  const empty = client.fetch('http://h/2', { signal });
  client.settle(idOf(1), { ...HEAD, status: 204, body: false });
  await empty;
  assert.equal(retained(), before, 'after a response without a body');

  const withBody = client.fetch('http://h/3', { signal });
  client.settle(idOf(2), { ...HEAD, body: true });
  const response = (await withBody) as Response;
  assert.equal(retained(), before + 1, 'kept while the body may still be aborted');
  const text = response.text();
  await new Promise((resolve) => setTimeout(resolve, 0));
  bodies.push(idOf(2), new TextEncoder().encode('ok'));
  bodies.push(idOf(2), null);
  assert.equal(await text, 'ok');
  assert.equal(retained(), before, 'after the body ended');
});

test('a long-lived signal does not keep the dependent signals of requests nobody holds; one with a listener it keeps', async () => {
  const collect = () => collectGarbage();
  const controller = new AbortController();
  const { signal } = controller;
  for (let i = 0; i < 2000; i++) new Request('http://h/', { signal });
  assert.equal(abortSignalCounts(signal as never).dependents, 2000);
  for (let round = 0; round < 10 && abortSignalCounts(signal as never).dependents > 100; round++) await collect();
  assert.ok(abortSignalCounts(signal as never).dependents <= 100, `${abortSignalCounts(signal as never).dependents} dependents left`);
  // The standard's GC rule: a dependent with an abort listener outlives its last reference.
  let heard = false;
  new Request('http://h/', { signal }).signal.addEventListener('abort', () => (heard = true));
  await collect();
  controller.abort();
  assert.equal(heard, true);
});

test('an abort while the body streams errors it with the reason and tells the host', async () => {
  const { host, started, aborted } = fakeHost();
  const client = new FetchClient(host, new BodyChannels());
  const controller = new AbortController();
  const pending = client.fetch('http://h/4', { signal: controller.signal });
  client.settle(started[0]![0], { ...HEAD, body: true });
  const response = (await pending) as Response;
  const reason = new Error('stop');
  controller.abort(reason);
  await assert.rejects(response.text(), (error) => error === reason);
  assert.deepEqual(aborted, [started[0]![0]]);
});

test('a known body over 1 MiB goes to the host in parts of at most 1 MiB ahead of fetchStart, whose head names no bytes', () => {
  const { host, started } = fakeHost();
  const parts: [number, Uint8Array][] = [];
  (host as unknown as { fetchUpload: (id: number, part: Uint8Array) => void }).fetchUpload = (id, part) => {
    assert.equal(started.length, 0, 'the parts come before fetchStart');
    parts.push([id, part]);
  };
  const client = new FetchClient(host, new BodyChannels());
  const data = new Uint8Array(2 * 1024 * 1024 + 100).map((_, i) => i & 255);
  void client.fetch('http://h/x', { method: 'POST', body: data });
  const [id, head] = started[0]!;
  assert.equal(head.bytes, undefined);
  assert.equal(head.uploaded, true);
  assert.deepEqual(parts.map(([partId, part]) => [partId, part.byteLength]), [[id, 1024 * 1024], [id, 1024 * 1024], [id, 100]]);
  for (const [, part] of parts) assert.ok(part.buffer.byteLength <= 2 * part.byteLength, 'a part does not carry the whole body');
  assert.deepEqual(Buffer.concat(parts.map(([, part]) => part)), Buffer.from(data));
});

test('a network error cancels a request body still streaming, with the TypeError the fetch rejects with', async () => {
  const { ReadableStream } = await import('../../src/streams/readable-stream/readable-stream.js');
  const { host, started } = fakeHost();
  const client = new FetchClient(host, new BodyChannels());
  let cancelled: unknown;
  let pulls = 0;
  const body = new ReadableStream({
    pull(controller: { enqueue(chunk: Uint8Array): void }) {
      pulls++;
      controller.enqueue(new Uint8Array(16));
    },
    cancel(reason: unknown) {
      cancelled = reason;
    },
  });
  const fetched = client.fetch('http://h/x', { method: 'POST', body, duplex: 'half' } as never);
  const [id] = started[0]!;
  await new Promise((resolve) => setImmediate(resolve));
  client.settle(id, { error: 'connection refused' });
  const error = await (fetched as Promise<unknown>).catch((e: unknown) => e);
  assert.ok(error instanceof TypeError);
  assert.equal(cancelled, error);
  const before = pulls;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(pulls, before, 'the body is read no further');
});
