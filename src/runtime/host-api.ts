// The boundary between an isolate and the host: the functions the host hands the isolate's
// runtime at boot, and what the runtime hands back. Types only: both halves import it.
// Every value crossing is copied the way isolated-vm's ExternalCopy copies (primitives,
// ArrayBuffers, typed arrays, plain objects and arrays): no function or host object crosses
// except these functions themselves, which arrive in the isolate as plain functions.
import type { DispatchResult } from './serve.js';
import type { FetchRequestHead, FetchResult } from './fetch.js';

export type { FetchRequestHead, FetchResult } from './fetch.js';
import type { URLBridge } from '../web/url.js';
import type { TextCodecBridge } from '../web/encoding/text-decoder.js';
import type { SubtleBridge, SubtleResult } from '../web/crypto-subtle.js';

export type { DispatchResult, ResponseHead } from './serve.js';
export type { RequestHead } from './request-head.js';

/** A codec call's outcome: the output pieces, or the reason the data is invalid. */
export interface HostCodecResult {
  chunks: Uint8Array[];
  /** Decompression only: trailing or truncated data, reported after `chunks` are enqueued. */
  error: string | undefined;
  /** Invalid data: nothing is enqueued and the stream errors. */
  fail?: string;
  /** The host stopped at its output cap (a call's work stays bounded): codecResume gives the rest. */
  more?: boolean;
}

export interface HostApi {
  /** Arms timer `id` (a task after `ms` milliseconds); the host then calls fireTimer(id). */
  timerStart(id: number, ms: number): void;
  timerClear(id: number): void;
  /** One console line from the app; `level` is the console method's log level. */
  log(level: 'debug' | 'info' | 'warn' | 'error', text: string): void;
  /** Console lines (and their characters) the isolate's log rate dropped: they never crossed. */
  logDropped(lines: number, bytes: number): void;
  /** Milliseconds since the isolate's time origin, with sub-millisecond precision. */
  now(): number;
  /** `length` cryptographically strong random bytes. */
  randomBytes(length: number): Uint8Array;
  /** A new compression context: its id, -1 when the format is not supported, -2 when the isolate's codecs would exceed their memory budget. */
  codecCreate(format: string, mode: string): number;
  codecPush(id: number, bytes: Uint8Array): HostCodecResult;
  codecFinish(id: number): HostCodecResult;
  /** The next part of the output of the push or finish that answered `more`. */
  codecResume(id: number): HostCodecResult;
  codecClose(id: number): void;
  // Serving requests (see serve.ts): request bodies in, response bodies out, waitUntil.
  /** Grants the host `credit` more bytes of body `id` to push (see body-channels.ts). */
  bodyPull(id: number, credit: number): void;
  bodyCancel(id: number, reason: string): void;
  /** Chunks of outgoing body `id`; the host acknowledges their bytes with responseAck. */
  responseWrite(id: number, chunks: Uint8Array[]): void;
  responseEnd(id: number): void;
  responseError(id: number, message: string): void;
  waitUntilSettled(id: number): void;
  /** Results of dispatched requests, several per crossing (see RuntimeControl.dispatch), packed by packDispatchResults (no bytes: none large). */
  dispatched(text: string, bytes?: Uint8Array[]): void;
  // Outbound fetch (see fetch.ts); its bodies use the body functions above with negative ids.
  fetchStart(id: number, head: FetchRequestHead): void;
  /** A part of fetch `id`'s known body (FetchRequestHead.uploaded), before its fetchStart. */
  fetchUpload(id: number, part: Uint8Array): void;
  fetchAbort(id: number, reason: string): void;
  // URL parsing and the legacy text decoders (see web/url.ts, web/encoding/text-decoder.ts).
  urlDomainToASCII: URLBridge['urlDomainToASCII'];
  decoderCreate: TextCodecBridge['decoderCreate'];
  decoderDecode: TextCodecBridge['decoderDecode'];
  decoderFree: TextCodecBridge['decoderFree'];
  // crypto.subtle (see web/crypto-subtle.ts): answered with RuntimeControl.subtleSettle.
  subtleCall: SubtleBridge['subtleCall'];
  subtleRelease: SubtleBridge['subtleRelease'];
  subtleUpload: SubtleBridge['subtleUpload'];
  /** Nothing: a call the isolate waits for, so the host has run every call queued before it (see FIRE_AND_FORGET_RUN). */
  barrier(): void;
}

/**
 * The host functions the isolate calls without waiting (isolated-vm Callbacks with `ignored`).
 * Not subtleUpload and fetchUpload, which carry data: see FIRE_AND_FORGET_RUN.
 */
export const FIRE_AND_FORGET: readonly (keyof HostApi)[] = [
  'timerStart', 'timerClear', 'log', 'logDropped', 'codecClose', 'bodyPull', 'bodyCancel', 'responseWrite', 'responseEnd', 'responseError',
  'waitUntilSettled', 'dispatched', 'fetchStart', 'fetchAbort', 'decoderFree', 'subtleCall', 'subtleRelease',
];

/**
 * isolated-vm queues the calls nobody waits for and runs all that queued up in one host task:
 * an app calling setTimeout and clearTimeout a million times in a loop held the host's event loop
 * 12.9 s and took its RSS up 2.4 GB; 100,000 crypto.subtle.digest calls held it 973 ms. After
 * this many, the isolate calls `barrier` and waits: the host has then run them all.
 */
export const FIRE_AND_FORGET_RUN = 256;

export interface BootInfo {
  /** performance.timeOrigin: the isolate's creation time, in ms since the epoch. */
  timeOrigin: number;
  userAgent: string;
  /** The isolate's memory limit: all of its WebAssembly memories together stay within it too. */
  memoryLimitMb?: number;
  /** The app's log rate (limits.logKbPerSecond), kept by the console before lines cross. */
  logBytesPerSecond?: number;
}

/**
 * What boot() leaves on the global as `__nanoControl` for the host to take (as isolated-vm
 * References, one per function) and delete before any app code runs.
 */
export interface RuntimeControl {
  /** Runs timer `id`'s task (no-op when it was cleared meanwhile). */
  fireTimer(id: number): void;
  /**
   * The app's env (a frozen copy of strings), before its module runs: the same object its
   * fetch() gets, and what `import { env } from 'cloudflare:workers'` gives at the top level.
   * `assetsBinding`: the name under which env holds the assets binding (`env.ASSETS.fetch()`).
   */
  defineEnv(env: Record<string, string>, assetsBinding?: string): void;
  /** The app module's default export. */
  registerApp(exports: unknown): void;
  /** Serves request `id` (its head packed by packRequestHead); the result comes back through HostApi.dispatched. */
  dispatch(id: number, head: string): void;
  bodyPush(id: number, chunk: Uint8Array | null, error?: string): void;
  /** The host's socket took `bytes` more of outgoing body `id` (see body-channels.ts). */
  responseAck(id: number, bytes: number): void;
  responseCancel(id: number, reason: string): void;
  responseStart(id: number): void;
  fetchSettle(id: number, result: FetchResult): void;
  subtleSettle(id: number, result: SubtleResult): void;
  /**
   * Several of the calls above in one crossing, in order: the host queues its calls and sends
   * them once per event-loop turn, so concurrent requests share the cost of entering the isolate.
   */
  batch(calls: ControlCall[]): void;
}

/** One queued RuntimeControl call: its name and arguments. */
export type ControlCall = [op: Exclude<keyof RuntimeControl, 'batch'>, args: unknown[]];

/**
 * What holding one chunk costs the host beyond its bytes (its ArrayBuffer and view, a write-queue
 * entry and callback), counted with them in an outgoing body's window (body-channels.ts); the
 * host acknowledges the same. Counted by bytes alone, a stream of 1-byte chunks to a client that
 * does not read put a million chunks in the host per response: 20 such clients took the host
 * process to 3.8 GB of RSS in 20 seconds (measured).
 */
export const CHUNK_OVERHEAD = 512;

/** A chunk's cost against the window. */
export function windowCost(byteLength: number): number {
  return byteLength + CHUNK_OVERHEAD;
}

/**
 * The most bytes of header names and values a response, or an outbound request, may have
 * (Chrome's limit for a response's headers: a client would refuse more). The host validates and
 * writes headers on its own thread: one 50 MB header value held its event loop 896 ms.
 */
export const HEADERS_BYTES_MAX = 256 * 1024;

/** The bytes a header list counts against HEADERS_BYTES_MAX: each name and value, with ": " and CRLF. */
export function headersBytes(list: ArrayLike<readonly [string, string]>): number {
  let bytes = 0;
  for (let i = 0; i < list.length; i++) bytes += list[i]![0].length + list[i]![1].length + 4;
  return bytes;
}
