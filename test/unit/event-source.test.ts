// EventSource (src/web/event-source.ts) over a scripted fetch: the event stream's parsing,
// the connection's states and events, reconnection with Last-Event-ID, failure and close().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setURLBridge } from '../../src/web/url.js';
import { nodeURLBridge } from '../../src/host/url-node.js';
import { ReadableStream, type ReadableStreamDefaultController } from '../../src/streams/index.js';
import { Response } from '../../src/web/fetch/response.js';
import { DOMException } from '../../src/web/dom-exception.js';
import { MessageEvent } from '../../src/web/message-channel.js';
import { EventSource, setEventSourceHooks } from '../../src/web/event-source.js';

setURLBridge(nodeURLBridge);

interface Connection {
  url: string;
  headers: [string, string][];
  signal: AbortSignal;
  controller: ReadableStreamDefaultController<Uint8Array>;
}

/** Each fetch answers with `answer(connection)` (default: 200 text/event-stream with a stream the test writes to). */
function scripted(answer?: (c: Connection) => Response | Promise<Response>): { connections: Connection[]; next(): Promise<Connection> } {
  const connections: Connection[] = [];
  let taken = 0;
  const waiting: ((c: Connection) => void)[] = [];
  setEventSourceHooks({
    fetch(input, init) {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
      const c: Connection = { url: input, headers: init['headers'] as [string, string][], signal: init['signal'] as AbortSignal, controller };
      connections.push(c);
      c.signal.addEventListener('abort', () => {
        try {
          controller.error(new Error('aborted'));
        } catch {
          // Closed already.
        }
      });
      waiting.shift()?.(c);
      return Promise.resolve(answer ? answer(c) : new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } }));
    },
    setTimeout: (callback, ms) => setTimeout(callback, ms) as unknown as number,
    clearTimeout: (id) => clearTimeout(id),
    queueTask: (callback) => void setImmediate(callback),
  });
  return {
    connections,
    // The connections in order: each call takes the next one, waiting for it if need be.
    next: () => new Promise((resolve) => (taken < connections.length ? resolve(connections[taken++]!) : waiting.push((c) => (taken++, resolve(c))))),
  };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

function record(source: EventSource): string[] {
  const log: string[] = [];
  source.onopen = () => log.push(`open ${source.readyState}`);
  source.onerror = () => log.push(`error ${source.readyState}`);
  source.onmessage = (e) => log.push(`message ${JSON.stringify(e.data)} id=${e.lastEventId} origin=${e.origin}`);
  source.addEventListener('update', (e) => log.push(`update ${JSON.stringify((e as MessageEvent).data)}`));
  return log;
}

test('the stream is parsed as it arrives: BOM, CR/LF/CRLF split across chunks, comments, fields, multi-line data, event types, ids', async () => {
  const { next } = scripted();
  const source = new EventSource('http://example.com:8080/events?x=1');
  assert.equal(source.readyState, EventSource.CONNECTING);
  assert.equal(source.url, 'http://example.com:8080/events?x=1');
  assert.equal(source.withCredentials, false);
  const log = record(source);
  const c = await next();
  assert.deepEqual(c.headers, [['Accept', 'text/event-stream']]);
  await tick();
  assert.deepEqual(log, ['open 1']);
  // A UTF-8 BOM split across chunks; a CR at a chunk's end and its LF at the next one's start are one line end.
  const stream = '\uFEFF: a comment\r\ndata: first\r\n\r\ndata:no space\rdata:  two spaces\n\nid: 7\nevent: update\ndata: é\ndata\n\n' +
    'id: has\0null\ndata: kept id\nunknown: field\n\n' + 'data: after empty id\nid\n\n' + 'event: empty\n\n' + 'data: never dispatched';
  const encoded = bytes(stream);
  const cuts = [0, 1, 2, 15, 28, 45, 60, encoded.length];
  for (let i = 1; i < cuts.length; i++) c.controller.enqueue(encoded.subarray(cuts[i - 1], cuts[i]));
  await tick();
  assert.deepEqual(log, [
    'open 1',
    'message "first" id= origin=http://example.com:8080',
    'message "no space\\n two spaces" id= origin=http://example.com:8080',
    'update "é\\n"',
    'message "kept id" id=7 origin=http://example.com:8080',
    'message "after empty id" id= origin=http://example.com:8080',
  ]);
  source.close();
  assert.equal(source.readyState, EventSource.CLOSED);
  assert.equal(c.signal.aborted, true, 'close() aborts the fetch');
});

test('the end of the stream reestablishes the connection after the retry time, with Last-Event-ID; close() stops it', async () => {
  const { next, connections } = scripted();
  const source = new EventSource('http://example.com/e');
  const log = record(source);
  const first = await next();
  first.controller.enqueue(bytes('retry: 50\nid: 42\ndata: one\n\ndata: cut off'));
  first.controller.close();
  const second = await next();
  assert.deepEqual(second.headers, [['Accept', 'text/event-stream'], ['Last-Event-ID', '42']]);
  await tick();
  assert.deepEqual(log, ['open 1', 'message "one" id=42 origin=http://example.com', 'error 0', 'open 1']);
  second.controller.enqueue(bytes('data: two\n\n'));
  await tick();
  assert.equal(log.at(-1), 'message "two" id=42 origin=http://example.com');
  // A network error mid-stream reconnects too; close() while waiting stops the retry.
  second.controller.error(new Error('reset'));
  await tick();
  assert.equal(log.at(-1), 'error 0');
  source.close();
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal(connections.length, 2, 'no fetch after close()');
  assert.equal(source.readyState, EventSource.CLOSED);
});

test('a response that is not 200 text/event-stream fails the connection: error, CLOSED, no retry', async () => {
  for (const response of [() => new Response('nope', { status: 500, headers: { 'content-type': 'text/event-stream' } }), () => new Response('data: x\n\n', { headers: { 'content-type': 'text/plain' } })]) {
    const { connections } = scripted(response);
    const source = new EventSource('http://example.com/e');
    const log = record(source);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(log, ['error 2']);
    assert.equal(source.readyState, EventSource.CLOSED);
    assert.equal(connections.length, 1);
  }
});

test('a body of known bytes (no stream yet) is read too, then the connection is reestablished', async () => {
  let calls = 0;
  scripted(() => (calls++, new Response('id: 5\ndata: known\n\n', { headers: { 'content-type': 'text/event-stream' } })));
  const source = new EventSource('http://example.com/e');
  const log = record(source);
  await tick();
  source.close();
  assert.deepEqual(log, ['open 1', 'message "known" id=5 origin=http://example.com', 'error 0']);
  assert.equal(calls, 1);
});

test('the interface: constants, a relative or invalid URL is a SyntaxError, withCredentials, brand checks', () => {
  scripted();
  assert.deepEqual([EventSource.CONNECTING, EventSource.OPEN, EventSource.CLOSED], [0, 1, 2]);
  assert.equal(EventSource.prototype.OPEN, 1);
  assert.equal(Object.getOwnPropertyDescriptor(EventSource, 'CLOSED')!.writable, false);
  assert.equal(Object.prototype.toString.call(EventSource.prototype), '[object EventSource]');
  for (const url of ['/relative', 'http://[bad']) {
    assert.throws(() => new EventSource(url), (e: unknown) => e instanceof DOMException && e.name === 'SyntaxError');
  }
  const source = new EventSource('https://example.com/', { withCredentials: true });
  assert.equal(source.withCredentials, true);
  source.close();
  assert.throws(() => Reflect.get(EventSource.prototype, 'readyState', {}), TypeError);
  assert.throws(() => EventSource.prototype.close.call({}), TypeError);
});
