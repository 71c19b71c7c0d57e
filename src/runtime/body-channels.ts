// Bodies that cross the isolate boundary, by id (positive: a request the host serves; negative:
// an outbound fetch). Both directions use credit, so neither thread ever waits for the other:
// - host -> isolate: a byte ReadableStream whose pull() grants the host credit (bodyPull: how
//   many more bytes the isolate will hold); the host pushes what its socket gives, up to the
//   credit, and reads the socket only while it has credit.
// - isolate -> host: a pump that reads a ReadableStream and sends its chunks (responseWrite, no
//   answer awaited) while fewer than OUTGOING_WINDOW bytes are unacknowledged; the host
//   acknowledges bytes once its socket took them (ack), so a slow client stops the pump.
import { ReadableStream, readableStreamImpl, IsReadableStreamLocked, AcquireReadableStreamDefaultReader, ReadableStreamCancel } from '../streams/readable-stream/readable-stream.js';
import { ReadableStreamDefaultReader, defaultReaderImpl, ReadableStreamDefaultReaderBufferedController } from '../streams/readable-stream/default-reader.js';
import { PeekQueueValue } from '../streams/abstract-ops/queue-with-sizes.js';
import { isUint8Array, plainUint8Array, viewByteLength } from '../streams/webidl/intrinsics.js';
import { setPromiseIsHandledToTrue } from '../streams/webidl/promise.js';
import { crossingBytes } from '../web/buffer-source.js';
import { windowCost } from './host-api.js';
import { inspect } from './console.js';
import { IdTable } from './id-table.js';

export interface HostBodySink {
  /** Chunks for the host, in one crossing; it acknowledges their bytes later (ack). */
  write(id: number, chunks: Uint8Array[]): void;
  end(id: number): void;
  error(id: number, message: string): void;
}

/** The host functions that take an outgoing body, as a sink (served responses and fetch uploads). */
export function hostSink(host: {
  responseWrite(id: number, chunks: Uint8Array[]): void;
  responseEnd(id: number): void;
  responseError(id: number, message: string): void;
}): HostBodySink {
  return {
    write: (id, chunks) => host.responseWrite(id, chunks),
    end: (id) => host.responseEnd(id),
    error: (id, message) => host.responseError(id, message),
  };
}

const TypeErrorCtor = TypeError;
const PromiseCtor = Promise;
const ReflectApply = Reflect.apply;
const rsGetReader = ReadableStream.prototype.getReader;
const readerRead = ReadableStreamDefaultReader.prototype.read;
const readerCancel = ReadableStreamDefaultReader.prototype.cancel;
const readerReleaseLock = ReadableStreamDefaultReader.prototype.releaseLock;

/** The most bytes one crossing carries when chunks are already buffered. */
const BATCH_BYTES = 256 * 1024;

/** Bytes of an outgoing body the host may hold unacknowledged before the pump waits. */
const OUTGOING_WINDOW = 1024 * 1024;


/**
 * After `first` was read (at most BATCH_BYTES): `[first]` plus the chunks the stream already has
 * buffered (a default controller's queue), taken now as reads would take them, while the batch
 * stays within BATCH_BYTES; each as it should cross (crossingBytes).
 */
function takeBuffered(reader: ReadableStreamDefaultReader<unknown>, first: Uint8Array, firstLength: number): Uint8Array[] {
  const batch = [crossingBytes(first, 0, firstLength)];
  const impl = defaultReaderImpl(reader);
  if (impl === undefined || impl.stream === undefined) return batch;
  let controller = ReadableStreamDefaultReaderBufferedController(impl);
  let bytes = firstLength;
  while (controller !== undefined) {
    const next = PeekQueueValue(controller);
    if (!isUint8Array(next)) break;
    const length = viewByteLength(next);
    if (bytes + length > BATCH_BYTES) break;
    impl.stream!.disturbed = true;
    controller.takeBufferedChunk();
    if (length > 0) batch.push(crossingBytes(plainUint8Array(next), 0, length));
    bytes += length;
    controller = ReadableStreamDefaultReaderBufferedController(impl);
  }
  return batch;
}

/** Fetch's "cancel a body with reason" when it is readable (the fetch was aborted before it was read). */
export function cancelReadableBody(body: ReadableStream, reason: unknown): void {
  const impl = readableStreamImpl(body);
  // Handled through the captured then: `.catch` calls the app's Promise.prototype.then.
  if (impl !== undefined && impl.state === 'readable') setPromiseIsHandledToTrue(ReadableStreamCancel(impl, reason));
}

/** The stream's high-water mark for an incoming body (what it asks for before any read). */
const INCOMING_HIGH_WATER_MARK = 64 * 1024;
/** Bytes of an incoming body the isolate holds at most: queued plus granted to the host. */
const INCOMING_WINDOW = 1024 * 1024;

interface Incoming {
  controller: ReadableByteStreamController;
  pulled: (() => void) | undefined;
  /** The isolate has asked the host for bytes at least once. */
  everPulled: boolean;
  /** Credit granted to the host and not used yet (each chunk costs windowCost of its bytes). */
  credit: number;
  /** Called once when the body is over for the isolate (ended, failed, cancelled). */
  done: (() => void) | undefined;
}

interface Outgoing {
  reader: ReadableStreamDefaultReader<unknown>;
  /** Bytes sent to the host and not acknowledged yet. */
  unacked: number;
  drained: (() => void) | undefined;
}

export class BodyChannels {
  #incoming = new IdTable<Incoming>();
  #outgoing = new IdTable<Outgoing>();
  /** The host-fed streams, so an untouched one can be handed back to the host. */
  #ids = new WeakMap<ReadableStream, number>();
  /** The bytes of those made by incomingWhole (the host has no body left to pipe). */
  #wholes = new WeakMap<ReadableStream, Uint8Array>();

  /**
   * A byte stream fed by the host: `pull(id)` asks for bytes, `cancel(id, reason)` stops them.
   * With highWaterMark 0 nothing is asked for before the first read (see handOver).
   */
  incoming(
    id: number,
    pull: (id: number, credit: number) => void,
    cancel: (id: number, reason: string) => void,
    highWaterMark = INCOMING_HIGH_WATER_MARK,
    done?: () => void,
  ): ReadableStream {
    const incoming = this.#incoming;
    // Fetch sets the stream up with internal algorithms: null-prototype dictionaries, so
    // nothing a script put on Object.prototype (a `size`, an `autoAllocateChunkSize`) is read.
    const stream = new ReadableStream(
      {
        __proto__: null,
        type: 'bytes',
        start(controller: ReadableByteStreamController) {
          incoming.set(id, { controller, pulled: undefined, everPulled: false, credit: 0, done });
        },
        pull(controller: ReadableByteStreamController) {
          const entry = incoming.get(id);
          if (entry === undefined) return undefined;
          entry.everPulled = true;
          // Resolved by push(): pull() is not called again until bytes arrived.
          const promise = new PromiseCtor<void>((resolve) => (entry.pulled = resolve));
          // Top the host's credit up to the window, minus what is queued here already.
          const queued = highWaterMark - (controller.desiredSize ?? 0);
          const grant = INCOMING_WINDOW - queued - entry.credit;
          if (grant > 0) {
            entry.credit += grant;
            pull(id, grant);
          }
          return promise;
        },
        cancel(reason: unknown) {
          const entry = incoming.get(id);
          if (!incoming.delete(id)) return;
          entry?.done?.();
          cancel(id, reason instanceof Error ? reason.message : String(reason));
        },
      } as never,
      { __proto__: null, highWaterMark } as never,
    );
    this.#ids.set(stream, id);
    return stream;
  }

  /**
   * An incoming body whose bytes came with its head: read as a host-fed one is (nothing before the
   * first read, so aborting its fetch before then still errors it), but from `bytes`, with no call
   * to the host, which is done with it; never handed over (the host has no body to pipe), but
   * returned untouched its bytes go as a known body's (takeWhole).
   */
  incomingWhole(id: number, bytes: Uint8Array, done?: () => void): ReadableStream {
    const fromBytes = (i: number): void => {
      this.push(i, bytes);
      this.push(i, null);
    };
    const stream = this.incoming(id, fromBytes, () => {}, 0, done);
    this.#wholes.set(stream, bytes);
    return stream;
  }

  /**
   * The bytes of a body made by incomingWhole that nobody has read, locked or asked bytes of (a
   * fetched response returned untouched): they go with the response's head as a known body's do.
   * The stream is locked, as handOver leaves it. Otherwise undefined.
   */
  takeWhole(stream: ReadableStream): Uint8Array | undefined {
    const bytes = this.#wholes.get(stream);
    if (bytes === undefined || this.#takeUntouched(stream) === undefined) return undefined;
    return bytes;
  }

  /**
   * If `stream` is the body of a fetch (a negative id) nobody has read, locked or asked bytes of,
   * the host can move its bytes itself (host to host, never through the isolate): returns its id,
   * and locks the stream (its bytes are gone from the isolate's point of view). Otherwise
   * undefined. A served request's own body is never handed over: the host pipes only fetch
   * bodies, and took such an id for a fetch's, found none and sent an empty body (an app echoing
   * `new Response(request.body)` at once); it streams back through the isolate instead.
   */
  handOver(stream: ReadableStream): number | undefined {
    if (this.#wholes.has(stream)) return undefined;
    const id = this.#ids.get(stream);
    return id === undefined || id >= 0 ? undefined : this.#takeUntouched(stream);
  }

  /**
   * The id of host-fed `stream` when nobody has read, locked or asked bytes of it: it leaves the
   * isolate's bodies and is locked. A body made whole (incomingWhole) is then over here (`done`);
   * a handed-over one goes on in the host.
   */
  #takeUntouched(stream: ReadableStream): number | undefined {
    const id = this.#ids.get(stream);
    const entry = id === undefined ? undefined : this.#incoming.get(id);
    if (id === undefined || entry === undefined || entry.everPulled) return undefined;
    const impl = readableStreamImpl(stream);
    if (impl === undefined || impl.disturbed || IsReadableStreamLocked(impl)) return undefined;
    this.#incoming.delete(id);
    if (this.#wholes.has(stream)) entry.done?.();
    AcquireReadableStreamDefaultReader(impl);
    return id;
  }

  /** The host delivers bytes for incoming body `id` (null: it ended; error: it failed). */
  push(id: number, chunk: Uint8Array | null, error?: string): void {
    const entry = this.#incoming.get(id);
    if (entry === undefined) return;
    const { controller } = entry;
    const length = chunk === null ? 0 : viewByteLength(chunk);
    // The host spent credit on this chunk by its cost, not only its bytes (windowCost).
    if (chunk !== null) entry.credit = entry.credit > windowCost(length) ? entry.credit - windowCost(length) : 0;
    const pulled = entry.pulled;
    entry.pulled = undefined;
    try {
      if (error !== undefined) {
        this.#incoming.delete(id);
        entry.done?.();
        controller.error(new TypeErrorCtor(error));
      } else if (chunk === null) {
        this.#incoming.delete(id);
        entry.done?.();
        controller.close();
        // A pending BYOB read is answered with an empty view when the stream closes.
        controller.byobRequest?.respond(0);
      } else if (length > 0) {
        controller.enqueue(chunk);
      }
    } catch {
      // The stream was cancelled or errored meanwhile: the bytes have nowhere to go.
    }
    pulled?.();
  }

  /** Errors incoming body `id` with `reason` (a realm value: an aborted fetch's abort reason). */
  errorIncoming(id: number, reason: unknown): void {
    const entry = this.#incoming.get(id);
    if (entry === undefined) return;
    this.#incoming.delete(id);
    entry.done?.();
    const pulled = entry.pulled;
    entry.pulled = undefined;
    try {
      entry.controller.error(reason);
    } catch {
      // Closed or errored meanwhile.
    }
    pulled?.();
  }

  /** Ends incoming body `id` without telling the host (the host ended it already). */
  forgetIncoming(id: number): void {
    this.#incoming.get(id)?.done?.();
    this.#incoming.delete(id);
  }

  /** Reads `body` to the end, writing each chunk to `sink` under `id`; never throws. */
  async pump(id: number, body: ReadableStream, sink: HostBodySink, log: (text: string) => void): Promise<void> {
    let reader: ReadableStreamDefaultReader<unknown>;
    try {
      reader = ReflectApply(rsGetReader, body, []) as ReadableStreamDefaultReader<unknown>;
    } catch (error) {
      sink.error(id, `the body is not readable: ${inspect(error)}`);
      return;
    }
    const entry: Outgoing = { reader, unacked: 0, drained: undefined };
    this.#outgoing.set(id, entry);
    try {
      for (;;) {
        const result = (await ReflectApply(readerRead, reader, [])) as { done: boolean; value: unknown };
        if (!this.#outgoing.has(id)) return; // cancelled by the host meanwhile
        if (result.done) break;
        const value = result.value;
        // Fetch: a body chunk that is not a Uint8Array object is a TypeError (the body errors);
        // a subclass's instance (a Buffer) is one, and crosses as a plain view of its bytes.
        if (!isUint8Array(value)) {
          throw new TypeErrorCtor(`The body chunk ${inspect(value, 1)} is not a Uint8Array.`);
        }
        const chunk = plainUint8Array(value);
        // Through the original getter: an app redefining byteLength must not shrink the window's count.
        const length = viewByteLength(chunk);
        if (length === 0) continue;
        if (length > BATCH_BYTES) {
          // A large chunk crosses in parts, each within the window: one crossing's copy, and the
          // host's work on it (writing, encoding), stay small.
          for (let at = 0; at < length; at += BATCH_BYTES) {
            const part = length - at < BATCH_BYTES ? length - at : BATCH_BYTES;
            entry.unacked += windowCost(part);
            sink.write(id, [crossingBytes(chunk, at, part)]);
            if (entry.unacked >= OUTGOING_WINDOW && !(await this.#drained(id, entry))) return;
          }
          continue;
        }
        // Chunks already buffered in the stream go in the same crossing (docs/fast-paths.md).
        const batch = takeBuffered(reader, chunk, length);
        for (let i = 0; i < batch.length; i++) entry.unacked += windowCost(viewByteLength(batch[i]!));
        sink.write(id, batch);
        if (entry.unacked >= OUTGOING_WINDOW && !(await this.#drained(id, entry))) return;
      }
      this.#outgoing.delete(id);
      sink.end(id);
    } catch (error) {
      if (!this.#outgoing.delete(id)) return;
      log(`Uncaught (in body) ${inspect(error)}`);
      // Not `.catch`: it calls the app's Promise.prototype.then, and a throwing one stopped the
      // pump here, before the host heard the body failed (the client waited forever).
      setPromiseIsHandledToTrue(ReflectApply(readerCancel, reader, [error]) as Promise<void>);
      sink.error(id, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      return;
    }
    try {
      ReflectApply(readerReleaseLock, reader, []);
    } catch {
      // Nothing to release.
    }
  }

  /** Waits until the host acknowledged enough of `entry` to send more; false: the body was cancelled meanwhile. */
  async #drained(id: number, entry: Outgoing): Promise<boolean> {
    await new PromiseCtor<void>((resolve) => (entry.drained = resolve));
    return this.#outgoing.has(id);
  }

  /** The host's socket took `bytes` more of outgoing body `id`. */
  ack(id: number, bytes: number): void {
    const entry = this.#outgoing.get(id);
    if (entry === undefined) return;
    entry.unacked -= bytes;
    const drained = entry.drained;
    if (drained === undefined || entry.unacked >= OUTGOING_WINDOW) return;
    entry.drained = undefined;
    drained();
  }

  /** The host's end went away: cancel outgoing body `id` with a TypeError of `message`. */
  cancel(id: number, message: string): void {
    this.cancelOutgoing(id, new TypeErrorCtor(message));
  }

  /** Cancels outgoing body `id` with `reason` (a realm value: an aborted fetch's abort reason). */
  cancelOutgoing(id: number, reason: unknown): void {
    const entry = this.#outgoing.get(id);
    if (entry === undefined) return;
    this.#outgoing.delete(id);
    setPromiseIsHandledToTrue(ReflectApply(readerCancel, entry.reader, [reason]) as Promise<void>);
    entry.drained?.();
  }
}
