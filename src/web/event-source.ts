// EventSource: https://html.spec.whatwg.org/multipage/server-sent-events.html
// A client of text/event-stream over the realm's fetch(), as Workers and Deno have it: the
// stream is read as it arrives, each event dispatched in its own task, and a connection that
// ends or fails at the network is reestablished after the reconnection time (with
// Last-Event-ID). The realm has no document and no base URL: relative URLs fail.
import { defineInterface } from '../streams/webidl/interface.js';
import { toBoolean } from '../streams/webidl/converters.js';
import { ReadableStream, ReadableStreamDefaultReader } from '../streams/index.js';
import { AbortController } from './abort.js';
import { DOMException } from './dom-exception.js';
import { Event, EventTarget, defineEventHandler, dictionaryObject, fireEvent, requireArguments, toUSVString } from './events.js';
import { MessageEvent } from './message-channel.js';
import { TextDecoder } from './encoding/text-decoder.js';
import { Response, responseHeaderList } from './fetch/response.js';
import { listGet } from './fetch/headers.js';
import { extractMimeType } from './mime-type.js';
import { URL } from './url.js';
import { promiseThen } from '../streams/webidl/intrinsics.js';

const TypeErrorCtor = TypeError;
const ReflectApply = Reflect.apply;
const ObjectDefineProperty = Object.defineProperty;
const rsGetReader = ReadableStream.prototype.getReader;
const readerRead = ReadableStreamDefaultReader.prototype.read;
const readerCancel = ReadableStreamDefaultReader.prototype.cancel;
const abortMethod = AbortController.prototype.abort;
const controllerSignal = Object.getOwnPropertyDescriptor(AbortController.prototype, 'signal')!.get!;
const responseStatus = Object.getOwnPropertyDescriptor(Response.prototype, 'status')!.get!;
const responseType = Object.getOwnPropertyDescriptor(Response.prototype, 'type')!.get!;
const responseUrl = Object.getOwnPropertyDescriptor(Response.prototype, 'url')!.get!;
const responseBodyGetter = Object.getOwnPropertyDescriptor(Response.prototype, 'body')!.get!;
const urlOrigin = Object.getOwnPropertyDescriptor(URL.prototype, 'origin')!.get!;
const decode = TextDecoder.prototype.decode;

/** What the runtime gives EventSource (entry.ts): its fetch, timers and task queue. */
export interface EventSourceHooks {
  fetch(input: string, init: Record<string, unknown>): Promise<Response>;
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(id: number): void;
  queueTask(callback: () => void): void;
}

let hooks: EventSourceHooks | undefined;

export function setEventSourceHooks(value: EventSourceHooks): void {
  hooks = value;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;
/** The initial reconnection time ("a user-agent-defined value, probably in the region of a few seconds"): Chrome's. */
const DEFAULT_RECONNECTION_MS = 3_000;

// Set by the class's static block (the brand check of its #state).
let eventSourceStateOf: (x: unknown) => SourceState | undefined;

interface SourceState {
  url: string;
  withCredentials: boolean;
  readyState: number;
  reconnectionMs: number;
  lastEventId: string;
  /** The fetch in flight, or the wait before the next one. */
  controller: AbortController | undefined;
  timer: number | undefined;
}

/** @see https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface */
export class EventSource extends EventTarget {
  #state: SourceState;

  declare onopen: ((this: EventSource, ev: Event) => unknown) | null;
  declare onmessage: ((this: EventSource, ev: MessageEvent) => unknown) | null;
  declare onerror: ((this: EventSource, ev: Event) => unknown) | null;
  declare static readonly CONNECTING: 0;
  declare static readonly OPEN: 1;
  declare static readonly CLOSED: 2;
  declare readonly CONNECTING: 0;
  declare readonly OPEN: 1;
  declare readonly CLOSED: 2;

  constructor(url: unknown, eventSourceInitDict: unknown = undefined) {
    requireArguments(arguments.length, 1, 'EventSource', null);
    const text = toUSVString(url);
    const dict = dictionaryObject(eventSourceInitDict, 'EventSource', null);
    const withCredentials = dict === undefined || dict.withCredentials === undefined ? false : toBoolean(dict.withCredentials);
    // Steps 2-3. Relative to nothing: a realm without a document has no base URL.
    let parsed: string;
    try {
      parsed = new URL(text).href;
    } catch {
      throw new DOMException(`Failed to construct 'EventSource': Cannot open an EventSource to '${text}'. The URL is invalid.`, 'SyntaxError');
    }
    super();
    this.#state = { url: parsed, withCredentials, readyState: CONNECTING, reconnectionMs: DEFAULT_RECONNECTION_MS, lastEventId: '', controller: undefined, timer: undefined };
    // Steps 5-15: the request (Accept: text/event-stream, cache mode no-store), fetched.
    connect(this, this.#state);
  }

  get url(): string {
    return sourceState(this, 'url').url;
  }

  get withCredentials(): boolean {
    return sourceState(this, 'withCredentials').withCredentials;
  }

  get readyState(): number {
    return sourceState(this, 'readyState').readyState;
  }

  /** @see https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource-close */
  close(): void {
    const s = sourceState(this, 'close', true);
    abortConnection(s);
    s.readyState = CLOSED;
  }

  static {
    eventSourceStateOf = (x) => (typeof x === 'object' && x !== null && #state in x ? x.#state : undefined);
  }
}

function sourceState(x: unknown, member: string, method = false): SourceState {
  const s = eventSourceStateOf(x);
  if (s === undefined) {
    throw new TypeErrorCtor(method ? `Failed to execute '${member}' on 'EventSource': Illegal invocation` : `Failed to read the '${member}' property from 'EventSource': Illegal invocation`);
  }
  return s;
}

defineInterface(EventSource, 'EventSource');
for (const [name, value] of [['CONNECTING', CONNECTING], ['OPEN', OPEN], ['CLOSED', CLOSED]] as const) {
  const desc = { value, writable: false, enumerable: true, configurable: false };
  ObjectDefineProperty(EventSource, name, desc);
  ObjectDefineProperty(EventSource.prototype, name, desc);
}
const isEventSource = (x: unknown): boolean => eventSourceStateOf(x) !== undefined;
for (const type of ['open', 'message', 'error']) defineEventHandler(EventSource.prototype, 'EventSource', type, isEventSource);

function abortConnection(s: SourceState): void {
  if (s.timer !== undefined) hooks?.clearTimeout(s.timer);
  s.timer = undefined;
  const controller = s.controller;
  s.controller = undefined;
  if (controller !== undefined) ReflectApply(abortMethod, controller, []);
}

/** One fetch of the source's URL, its response announced or failed, its body interpreted. */
function connect(source: EventSource, s: SourceState): void {
  if (hooks === undefined) throw new TypeErrorCtor("Failed to construct 'EventSource': fetch is not available in this realm.");
  const controller = new AbortController();
  s.controller = controller;
  const headers: [string, string][] = [['Accept', 'text/event-stream']];
  if (s.lastEventId !== '') headers.push(['Last-Event-ID', s.lastEventId]);
  const init = {
    headers,
    cache: 'no-store',
    credentials: s.withCredentials ? 'include' : 'same-origin',
    signal: ReflectApply(controllerSignal, controller, []),
  };
  ReflectApply(promiseThen, hooks.fetch(s.url, init), [
    (response: Response) => {
      if (s.controller !== controller) return; // closed meanwhile
      // "If res's status is not 200, or its Content-Type is not text/event-stream: fail the connection."
      const mime = extractMimeType(listGet(responseHeaderList(response), 'content-type'));
      const status = ReflectApply(responseStatus, response, []) as number;
      // The body as a stream (a body of known bytes makes its stream when asked).
      const body = ReflectApply(responseBodyGetter, response, []) as ReadableStream<Uint8Array> | null;
      if (ReflectApply(responseType, response, []) === 'error' || status !== 200 || mime === null || mime.type !== 'text' || mime.subtype !== 'event-stream' || body === null) {
        // Aborting the fetch cancels its body.
        ReflectApply(abortMethod, controller, []);
        failConnection(source, s);
        return;
      }
      // The origin of the event stream's final URL, after redirects.
      const finalUrl = (ReflectApply(responseUrl, response, []) as string) || s.url;
      const origin = ReflectApply(urlOrigin, new URL(finalUrl), []) as string;
      announceConnection(source, s);
      void interpret(source, s, controller, body, origin);
    },
    () => {
      // A network error (the fetch rejected): reestablish, unless close() aborted it.
      if (s.controller !== controller) return;
      reestablish(source, s);
    },
  ]);
}

/** @see https://html.spec.whatwg.org/multipage/server-sent-events.html#announce-the-connection */
function announceConnection(source: EventSource, s: SourceState): void {
  hooks!.queueTask(() => {
    if (s.readyState === CLOSED) return;
    s.readyState = OPEN;
    fireEvent(source, new Event('open'));
  });
}

/** @see https://html.spec.whatwg.org/multipage/server-sent-events.html#fail-the-connection */
function failConnection(source: EventSource, s: SourceState): void {
  s.controller = undefined;
  hooks!.queueTask(() => {
    if (s.readyState === CLOSED) return;
    s.readyState = CLOSED;
    fireEvent(source, new Event('error'));
  });
}

/** @see https://html.spec.whatwg.org/multipage/server-sent-events.html#reestablish-the-connection */
function reestablish(source: EventSource, s: SourceState): void {
  s.controller = undefined;
  // Step 1.
  if (s.readyState === CLOSED) return;
  // Step 2.
  hooks!.queueTask(() => {
    if (s.readyState === CLOSED) return;
    s.readyState = CONNECTING;
    fireEvent(source, new Event('error'));
    // Steps 3-5: wait the reconnection time, then fetch again (with Last-Event-ID).
    s.timer = hooks!.setTimeout(() => {
      s.timer = undefined;
      hooks!.queueTask(() => {
        if (s.readyState !== CONNECTING || s.controller !== undefined) return;
        connect(source, s);
      });
    }, s.reconnectionMs);
  });
}

/**
 * Reads the event stream as it arrives: UTF-8 decoded (a leading BOM dropped), split into lines
 * at CRLF, LF or CR, each line processed. The end of the stream reestablishes the connection.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
async function interpret(source: EventSource, s: SourceState, controller: AbortController, stream: ReadableStream<Uint8Array>, origin: string): Promise<void> {
  const reader = ReflectApply(rsGetReader, stream, []) as ReadableStreamDefaultReader<Uint8Array>;
  const decoder = new TextDecoder();
  // The last event ID buffer starts at the source's last event ID, as browsers keep it across a
  // reconnection (the standard starts it empty: an event without an id would then forget it).
  const parser: ParserState = { data: '', eventType: '', lastEventIdBuffer: s.lastEventId, pending: '', afterCR: false };
  try {
    for (;;) {
      const { done, value } = (await ReflectApply(readerRead, reader, [])) as { done: boolean; value: Uint8Array };
      if (s.controller !== controller) {
        void ReflectApply(readerCancel, reader, []).catch(() => {});
        return;
      }
      const text = ReflectApply(decode, decoder, done ? [] : [value, { stream: true }]) as string;
      feed(source, s, parser, text, origin);
      if (done) break;
    }
  } catch {
    // A body that errors (a network error mid-stream), or close() aborting the fetch.
    if (s.controller !== controller) return;
  }
  // The end of the stream: a partial line and an undispatched event are discarded.
  reestablish(source, s);
}

interface ParserState {
  data: string;
  eventType: string;
  lastEventIdBuffer: string;
  /** The text of the line being read (no line end seen yet). */
  pending: string;
  /** The last character was CR: an LF that follows it belongs to the same line end. */
  afterCR: boolean;
}

function feed(source: EventSource, s: SourceState, p: ParserState, text: string, origin: string): void {
  let start = 0;
  let i = 0;
  if (p.afterCR && text.length > 0) {
    p.afterCR = false;
    if (text.charCodeAt(0) === 0x0a) start = i = 1;
  }
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0d) continue;
    const line = p.pending + text.slice(start, i);
    p.pending = '';
    processLine(source, s, p, line, origin);
    if (c === 0x0d) {
      if (i + 1 === text.length) p.afterCR = true;
      else if (text.charCodeAt(i + 1) === 0x0a) i++;
    }
    start = i + 1;
  }
  p.pending += text.slice(start);
}

function processLine(source: EventSource, s: SourceState, p: ParserState, line: string, origin: string): void {
  if (line === '') return dispatchMessage(source, s, p, origin);
  if (line.charCodeAt(0) === 0x3a) return; // a comment
  const colon = line.indexOf(':');
  let field = line;
  let value = '';
  if (colon !== -1) {
    field = line.slice(0, colon);
    value = line.slice(colon + (line.charCodeAt(colon + 1) === 0x20 ? 2 : 1));
  }
  switch (field) {
    case 'event':
      p.eventType = value;
      break;
    case 'data':
      p.data += value + '\n';
      break;
    case 'id':
      if (!value.includes('\0')) p.lastEventIdBuffer = value;
      break;
    case 'retry':
      if (asciiDigits(value)) s.reconnectionMs = Number(value);
      break;
    default:
      break;
  }
}

/** @see https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage */
function dispatchMessage(source: EventSource, s: SourceState, p: ParserState, origin: string): void {
  // Step 1. The buffer itself is not reset: later events keep the last ID.
  s.lastEventId = p.lastEventIdBuffer;
  // Step 2.
  if (p.data === '') {
    p.eventType = '';
    return;
  }
  // Steps 3-7.
  const data = p.data.endsWith('\n') ? p.data.slice(0, -1) : p.data;
  const event = new MessageEvent(p.eventType === '' ? 'message' : p.eventType, { data, origin, lastEventId: s.lastEventId });
  p.data = '';
  p.eventType = '';
  // Step 8.
  hooks!.queueTask(() => {
    if (s.readyState !== CLOSED) fireEvent(source, event);
  });
}

function asciiDigits(value: string): boolean {
  if (value === '') return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
