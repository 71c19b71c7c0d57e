// The observable trace of a random operation sequence on a stream: what the differential tests
// compare between NANO and the reference implementation, in Node and inside an isolate. No
// imports: this file is also bundled into an isolate.

export interface TraceImpl {
  ReadableStream: typeof ReadableStream;
  WritableStream: typeof WritableStream;
}

async function flush(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await null;
}

/** Counts microtask turns: flush() waits the same 30 turns as flush() above, numbering them. */
class TurnClock {
  turn = 0;
  async flush(): Promise<void> {
    this.turn = 0;
    for (let i = 0; i < 30; i++) {
      await null;
      this.turn++;
    }
  }
}

export type DiffOp =
  | { op: 'enqueue'; v: number }
  | { op: 'close' }
  | { op: 'error' }
  | { op: 'read' }
  | { op: 'cancel' }
  | { op: 'releaseLock' }
  | { op: 'getReader' }
  | { op: 'flush' };

export type WOp = { op: 'write'; v: number } | { op: 'close' } | { op: 'abort' } | { op: 'ready' } | { op: 'flush' } | { op: 'sinkError' };
/** How a trace reads: through a reader, or through the stream's async iterator. */
interface ReadSide {
  read(id: number): void;
  cancel(id: number): void;
  releaseLock(id: number): void;
  getReader(): void;
}

type Namer = (e: unknown) => string;

function readerSide(rs: ReadableStream<unknown>, trace: string[], name: Namer): ReadSide {
  let reader: ReadableStreamDefaultReader<unknown> | undefined = rs.getReader();
  return {
    read(id) {
      reader?.read().then(
        (r) => void trace.push(`read${id}:${r.done ? 'done' : r.value}`),
        (e) => void trace.push(`read${id}:rejected(${name(e)})`),
      );
    },
    cancel(id) {
      (reader ? reader.cancel('bye') : rs.cancel('bye')).then(
        () => void trace.push(`cancel${id}:ok`),
        (e) => void trace.push(`cancel${id}:rejected(${name(e)})`),
      );
    },
    releaseLock() {
      reader?.releaseLock();
      reader = undefined;
    },
    getReader() {
      if (!reader) reader = rs.getReader();
    },
  };
}

/** read is next(), cancel is return(reason), releaseLock is return(), getReader makes a new iterator. */
function iteratorSide(rs: ReadableStream<unknown>, trace: string[], name: Namer, boxed: boolean, at: () => string): ReadSide {
  const iterate = () => (rs as unknown as { values(): AsyncIterator<unknown> }).values();
  let iterator: AsyncIterator<unknown> | undefined = iterate();
  const shown = (value: unknown) => (boxed && typeof value === 'object' && value !== null ? (value as { v: number }).v : value);
  const settle = (id: number, what: string, p: Promise<IteratorResult<unknown>>) =>
    p.then(
      (r) => void trace.push(`${what}${id}:${r.done ? `done(${name(r.value)})` : shown(r.value)}${at()}`),
      (e) => void trace.push(`${what}${id}:rejected(${name(e)})${at()}`),
    );
  return {
    read(id) {
      if (iterator) settle(id, 'read', iterator.next());
    },
    cancel(id) {
      if (iterator) settle(id, 'cancel', iterator.return!('bye'));
      else rs.cancel('bye').then(() => void trace.push(`cancel${id}:ok`), (e) => void trace.push(`cancel${id}:rejected(${name(e)})`));
    },
    releaseLock(id) {
      if (iterator) settle(id, 'return', iterator.return!());
      iterator = undefined;
    },
    getReader() {
      if (!iterator) iterator = iterate();
    },
  };
}

/**
 * Runs `ops` on a readable stream of `impl`; the observable trace, in the order things happened.
 * `via: 'iterator'` reads through the stream's async iterator instead of a reader, and stamps each
 * result and pull with the microtask turn (counted by the flush loop) it happened in, so a promise
 * settling one job late changes the trace; 'iterator-boxed' does the same with each number
 * enqueued inside an object (the trace shows the number either way).
 */
export async function readableTrace(
  impl: TraceImpl,
  hwm: number,
  withPull: boolean,
  ops: DiffOp[],
  via: 'reader' | 'iterator' | 'iterator-boxed' = 'reader',
): Promise<string[]> {
  const trace: string[] = [];
  const name: Namer = (e) => (e instanceof Error ? e.name : typeof e === 'string' ? `reason:${e}` : String(e));
  const boxed = via === 'iterator-boxed';
  const clock = new TurnClock();
  const at = via === 'reader' ? () => '' : () => `@${clock.turn}`;
  const flushCounting = () => clock.flush();
  let controller!: ReadableStreamDefaultController<unknown>;
  let pulls = 0;
  const rs = new impl.ReadableStream<unknown>(
    {
      start: (c) => void (controller = c),
      pull: withPull ? () => void trace.push(`pull#${++pulls}${at()}`) : undefined,
      cancel: (r) => void trace.push(`source.cancel(${name(r)})`),
    },
    { highWaterMark: hwm },
  );
  const side = via === 'reader' ? readerSide(rs, trace, name) : iteratorSide(rs, trace, name, boxed, at);
  let k = 0;
  for (const step of ops) {
    const id = k++;
    try {
      switch (step.op) {
        case 'enqueue':
          controller.enqueue(boxed ? { v: step.v } : step.v);
          break;
        case 'close':
          controller.close();
          break;
        case 'error':
          controller.error('boom');
          break;
        case 'read':
          side.read(id);
          break;
        case 'cancel':
          side.cancel(id);
          break;
        case 'releaseLock':
          side.releaseLock(id);
          break;
        case 'getReader':
          side.getReader();
          break;
        case 'flush':
          await flushCounting();
          break;
      }
      trace.push(`${step.op}${id}:ok desired=${safeDesired(controller)}`);
    } catch (e) {
      trace.push(`${step.op}${id}:threw(${name(e)})`);
    }
  }
  await flushCounting();
  trace.push(`locked=${rs.locked}`);
  return trace;
}

function safeDesired(c: ReadableStreamDefaultController<unknown>): string {
  try {
    return String(c.desiredSize);
  } catch (e) {
    return `threw(${(e as Error).name})`;
  }
}

export async function writableTrace(impl: TraceImpl, hwm: number, ops: WOp[]): Promise<string[]> {
  const trace: string[] = [];
  const name = (e: unknown) => (e instanceof Error ? e.name : typeof e === 'string' ? `reason:${e}` : String(e));
  let controller!: WritableStreamDefaultController;
  const ws = new impl.WritableStream<number>(
    {
      start: (c) => void (controller = c),
      write: async (chunk) => {
        trace.push(`sink.write(${chunk})`);
        await flush(2);
      },
      close: () => void trace.push('sink.close'),
      abort: (r) => void trace.push(`sink.abort(${name(r)})`),
    },
    { highWaterMark: hwm },
  );
  const writer = ws.getWriter();
  let k = 0;
  for (const step of ops) {
    const id = k++;
    const settle = (p: Promise<unknown>) =>
      p.then(
        () => void trace.push(`${step.op}${id}:resolved`),
        (e) => void trace.push(`${step.op}${id}:rejected(${name(e)})`),
      );
    try {
      if (step.op === 'write') settle(writer.write(step.v));
      else if (step.op === 'close') settle(writer.close());
      else if (step.op === 'abort') settle(writer.abort('stop'));
      else if (step.op === 'ready') settle(writer.ready);
      else if (step.op === 'sinkError') controller.error('sink broke');
      else await flush();
      trace.push(`${step.op}${id}:ok desired=${(() => {
        try {
          return String(writer.desiredSize);
        } catch (e) {
          return `threw(${(e as Error).name})`;
        }
      })()}`);
    } catch (e) {
      trace.push(`${step.op}${id}:threw(${name(e)})`);
    }
  }
  await flush(60);
  return trace;
}


const reasonName = (e: unknown): string =>
  e instanceof Error ? e.name : typeof e === 'string' ? `reason:${e}` : String(e);

function desiredOf(c: { readonly desiredSize: number | null }): string {
  try {
    return String(c.desiredSize);
  } catch (e) {
    return `threw(${reasonName(e)})`;
  }
}

/** Settles `p` into the trace, with a .then attached at the moment the promise is made. */
function settleInto(trace: string[], label: string, p: Promise<unknown>, show: (v: unknown) => string = () => 'ok'): void {
  p.then(
    (v) => void trace.push(`${label}:${show(v)}`),
    (e) => void trace.push(`${label}:rejected(${reasonName(e)})`),
  );
}

const showRead = (r: unknown): string => {
  const { done, value } = r as { done: boolean; value: unknown };
  if (ArrayBuffer.isView(value)) {
    const v = value as Uint8Array;
    return `${done ? 'done' : 'value'}[${Array.prototype.join.call(v, ',')}]@${v.byteOffset}/${v.buffer.byteLength}`;
  }
  return done ? `done(${String(value)})` : String(value);
};

export type ByteOp =
  | { op: 'enqueue'; n: number }
  | { op: 'close' }
  | { op: 'error' }
  | { op: 'read' }
  | { op: 'readByob'; size: number; min: number; offset: number }
  | { op: 'respond'; n: number }
  | { op: 'respondWithNewView'; n: number }
  | { op: 'cancel' }
  | { op: 'releaseLock' }
  | { op: 'getReader'; byob: boolean }
  | { op: 'flush' };

/**
 * Runs `ops` on a byte stream (optionally with autoAllocateChunkSize and a pull that only logs):
 * enqueues of fresh bytes, BYOB reads with `min` and offsets, byobRequest.respond /
 * respondWithNewView, cancel and reader switches. The trace shows the bytes and where they sit
 * in their buffer, the byobRequest view, desiredSize after every step and every settlement.
 */
export async function byteTrace(impl: TraceImpl, hwm: number, autoAllocate: number, withPull: boolean, ops: ByteOp[]): Promise<string[]> {
  const trace: string[] = [];
  let controller!: ReadableByteStreamController;
  let pulls = 0;
  let counter = 0;
  const source: Record<string, unknown> = {
    type: 'bytes',
    start: (c: ReadableByteStreamController) => void (controller = c),
    cancel: (r: unknown) => void trace.push(`source.cancel(${reasonName(r)})`),
  };
  if (autoAllocate > 0) source['autoAllocateChunkSize'] = autoAllocate;
  if (withPull) source['pull'] = () => void trace.push(`pull#${++pulls}`);
  const rs = new impl.ReadableStream(source as never, { highWaterMark: hwm });
  let reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader | undefined = rs.getReader({ mode: 'byob' });
  let k = 0;
  for (const step of ops) {
    const id = k++;
    try {
      switch (step.op) {
        case 'enqueue': {
          const bytes = new Uint8Array(step.n);
          for (let i = 0; i < step.n; i++) bytes[i] = counter++ & 255;
          controller.enqueue(bytes);
          break;
        }
        case 'close':
          controller.close();
          break;
        case 'error':
          controller.error('boom');
          break;
        case 'read':
          if (reader && !isByob(reader)) {
            settleInto(trace, `read${id}`, (reader as ReadableStreamDefaultReader<Uint8Array>).read(), showRead);
          }
          break;
        case 'readByob':
          if (reader && isByob(reader)) {
            const view = new Uint8Array(new ArrayBuffer(step.size + step.offset), step.offset, step.size);
            settleInto(trace, `readByob${id}`, (reader as ReadableStreamBYOBReader).read(view, { min: Math.min(step.min, step.size) }), showRead);
          }
          break;
        case 'respond':
        case 'respondWithNewView': {
          const request = controller.byobRequest;
          if (!request) {
            trace.push(`${step.op}${id}:no byobRequest`);
            break;
          }
          const view = request.view!;
          trace.push(`byobRequest ${view.byteOffset}+${view.byteLength}/${view.buffer.byteLength}`);
          const n = Math.min(step.n, view.byteLength);
          const target = new Uint8Array(view.buffer, view.byteOffset, n);
          for (let i = 0; i < n; i++) target[i] = counter++ & 255;
          if (step.op === 'respond') request.respond(n);
          else request.respondWithNewView(new Uint8Array(view.buffer, view.byteOffset, n));
          break;
        }
        case 'cancel':
          settleInto(trace, `cancel${id}`, reader ? reader.cancel('bye') : rs.cancel('bye'));
          break;
        case 'releaseLock':
          reader?.releaseLock();
          reader = undefined;
          break;
        case 'getReader':
          if (!reader) reader = step.byob ? rs.getReader({ mode: 'byob' }) : rs.getReader();
          break;
        case 'flush':
          await flush();
          break;
      }
      trace.push(`${step.op}${id}:ok desired=${desiredOf(controller)}`);
    } catch (e) {
      trace.push(`${step.op}${id}:threw(${reasonName(e)})`);
    }
  }
  await flush();
  trace.push(`locked=${rs.locked}`);
  return trace;
}

function isByob(reader: object): boolean {
  // A BYOB reader's read() takes a view (length 1); the default reader's takes none.
  return (reader as { read: { length: number } }).read.length >= 1;
}

export type TeeOp =
  | { op: 'enqueue'; v: number }
  | { op: 'close' }
  | { op: 'error' }
  | { op: 'read'; branch: 0 | 1 }
  | { op: 'cancel'; branch: 0 | 1 }
  | { op: 'flush' };

/** Runs `ops` on the two branches of a default stream's tee(): reads, cancels of either branch, source enqueue/close/error. */
export async function teeTrace(impl: TraceImpl, hwm: number, withPull: boolean, ops: TeeOp[]): Promise<string[]> {
  const trace: string[] = [];
  let controller!: ReadableStreamDefaultController<number>;
  let pulls = 0;
  const rs = new impl.ReadableStream<number>(
    {
      start: (c) => void (controller = c),
      pull: withPull ? () => void trace.push(`pull#${++pulls}`) : undefined,
      cancel: (r) => void trace.push(`source.cancel(${Array.isArray(r) ? `[${r.map(reasonName).join(',')}]` : reasonName(r)})`),
    },
    { highWaterMark: hwm },
  );
  const branches = rs.tee();
  const readers = branches.map((b) => b.getReader());
  let k = 0;
  for (const step of ops) {
    const id = k++;
    try {
      switch (step.op) {
        case 'enqueue':
          controller.enqueue(step.v);
          break;
        case 'close':
          controller.close();
          break;
        case 'error':
          controller.error('boom');
          break;
        case 'read':
          settleInto(trace, `read${step.branch}.${id}`, readers[step.branch]!.read(), showRead);
          break;
        case 'cancel':
          settleInto(trace, `cancel${step.branch}.${id}`, readers[step.branch]!.cancel(`bye${step.branch}`));
          break;
        case 'flush':
          await flush();
          break;
      }
      trace.push(`${step.op}${id}:ok desired=${desiredOf(controller)}`);
    } catch (e) {
      trace.push(`${step.op}${id}:threw(${reasonName(e)})`);
    }
  }
  await flush();
  return trace;
}

export interface PipeImpl extends TraceImpl {
  TransformStream: typeof TransformStream;
}

export interface PipeSetup {
  sourceHwm: number;
  /**
   * [writable, readable] highWaterMarks of each TransformStream in the chain, and whether it has a
   * transform() that enqueues the chunk (else no transformer: one a pipe may carry chunks across).
   */
  stages: Array<[number, number, boolean?]>;
  sinkHwm: number;
  preventClose: boolean;
  preventAbort: boolean;
  preventCancel: boolean;
  /**
   * Whether the last pipeTo has an abort signal. Without one, it may be carried (a pipe that
   * reads from an identity TransformStream can be taken on by the pipe into it: pipe.ts), and
   * the abortSignal op does nothing.
   */
  signal: boolean;
  /** Whether the first pipeThrough has the same abort signal (a carrier that an abort stops). */
  firstSignal: boolean;
}

export type PipeOp =
  | { op: 'enqueue'; v: number }
  | { op: 'close' }
  | { op: 'error' }
  | { op: 'sinkDone' }
  | { op: 'sinkError' }
  | { op: 'abortSignal' }
  | { op: 'flush' };

/**
 * A source piped through a chain of TransformStreams into a sink whose writes finish only when
 * told ('sinkDone'). Every step is followed by a flush, so the trace is the state at quiescent
 * points: the sink's calls, the pipe's settlement, the source's desiredSize and cancel. (pipeTo's
 * timing inside a step is left to implementations by the spec; what it has done by the time the
 * microtask queue is empty is not.)
 */
export async function pipeTrace(impl: PipeImpl, setup: PipeSetup, ops: PipeOp[]): Promise<string[]> {
  const trace: string[] = [];
  let controller!: ReadableStreamDefaultController<number>;
  let sinkController!: WritableStreamDefaultController;
  const pendingWrites: Array<() => void> = [];
  const rs = new impl.ReadableStream<number>(
    {
      start: (c) => void (controller = c),
      cancel: (r) => void trace.push(`source.cancel(${reasonName(r)})`),
    },
    { highWaterMark: setup.sourceHwm },
  );
  const abortController = new (globalThis as unknown as { AbortController: typeof AbortController }).AbortController();
  let chain: ReadableStream<number> = rs;
  setup.stages.forEach(([w, r, enqueues], i) => {
    const transformer = enqueues ? { transform: (chunk: number, c: TransformStreamDefaultController<number>) => c.enqueue(chunk) } : {};
    const ts = new impl.TransformStream<number, number>(transformer, { highWaterMark: w }, { highWaterMark: r });
    chain = chain.pipeThrough(ts, i === 0 && setup.firstSignal ? { signal: abortController.signal } : {});
  });
  const ws = new impl.WritableStream<number>(
    {
      start: (c) => void (sinkController = c),
      write: (chunk) => {
        trace.push(`sink.write(${chunk})`);
        return new Promise<void>((resolve) => void pendingWrites.push(resolve));
      },
      close: () => void trace.push('sink.close'),
      abort: (r) => void trace.push(`sink.abort(${reasonName(r)})`),
    },
    { highWaterMark: setup.sinkHwm },
  );
  settleInto(
    trace,
    'pipeTo',
    chain.pipeTo(ws, {
      preventClose: setup.preventClose,
      preventAbort: setup.preventAbort,
      preventCancel: setup.preventCancel,
      ...(setup.signal ? { signal: abortController.signal } : {}),
    }),
  );
  await flush(100);
  let k = 0;
  for (const step of ops) {
    const id = k++;
    try {
      switch (step.op) {
        case 'enqueue':
          controller.enqueue(step.v);
          break;
        case 'close':
          controller.close();
          break;
        case 'error':
          controller.error('boom');
          break;
        case 'sinkDone':
          pendingWrites.shift()?.();
          break;
        case 'sinkError':
          // The writes in flight finish with the error, so the destination goes from erroring to
          // errored within the step. (While it is erroring, web-streams-polyfill's pipe keeps
          // reading from the source, which the spec forbids: see docs/property-tests.md.)
          sinkController.error('sink broke');
          for (const resolve of pendingWrites.splice(0)) resolve();
          break;
        case 'abortSignal':
          abortController.abort('stop');
          break;
        case 'flush':
          break;
      }
      await flush(100);
      trace.push(`${step.op}${id}:ok desired=${desiredOf(controller)} dest.locked=${ws.locked}`);
    } catch (e) {
      trace.push(`${step.op}${id}:threw(${reasonName(e)})`);
    }
  }
  while (pendingWrites.length > 0) {
    pendingWrites.shift()!();
    await flush(100);
  }
  await flush(100);
  trace.push(`locked=${rs.locked},${ws.locked}`);
  return trace;
}

export interface TransformSetup {
  writableHwm: number;
  readableHwm: number;
  /**
   * none: no transform (identity); sync: enqueues and returns nothing (13 throws); value: the
   * same but returns a number; async: enqueues after a microtask; mixed: sync for even chunks,
   * async for odd ones.
   */
  transform: 'none' | 'sync' | 'value' | 'async' | 'mixed';
}

export type TransformOp =
  | { op: 'write'; v: number }
  | { op: 'read' }
  | { op: 'close' }
  | { op: 'abort' }
  | { op: 'cancel' }
  | { op: 'ready' }
  | { op: 'error' }
  | { op: 'terminate' }
  | { op: 'flush' };

/**
 * A TransformStream driven from both ends by script: a writer and a reader. Every settlement,
 * transform, flush and cancel call is stamped with the microtask turn (counted by the flush
 * loop) it happened in, so a write settling one job early or late changes the trace.
 */
export async function transformTrace(impl: PipeImpl, setup: TransformSetup, ops: TransformOp[]): Promise<string[]> {
  const trace: string[] = [];
  const clock = new TurnClock();
  const flushCounting = () => clock.flush();
  let controller!: TransformStreamDefaultController<number>;
  const enqueue = (c: TransformStreamDefaultController<number>, v: number): void => {
    c.enqueue(v);
    if (v % 5 === 0) c.enqueue(v + 1000);
  };
  const step = (v: number, c: TransformStreamDefaultController<number>): void => {
    trace.push(`transform(${v})@${clock.turn}`);
    if (v === 13) throw new RangeError('unlucky');
    enqueue(c, v);
  };
  const transforms = {
    none: undefined,
    sync: (v: number, c: TransformStreamDefaultController<number>) => step(v, c),
    // A returned value is not undefined, so it takes the spec's promise path (no shortcut).
    value: ((v: number, c: TransformStreamDefaultController<number>) => (step(v, c), v)) as unknown as (v: number, c: TransformStreamDefaultController<number>) => void,
    async: async (v: number, c: TransformStreamDefaultController<number>) => {
      await null;
      step(v, c);
    },
    mixed: (v: number, c: TransformStreamDefaultController<number>) =>
      v % 2 === 0 ? step(v, c) : Promise.resolve().then(() => step(v, c)),
  };
  // `cancel` (transformer.cancel) is missing from Node's Transformer typings.
  const transformer = {
    start: (c: TransformStreamDefaultController<number>) => void (controller = c),
    transform: transforms[setup.transform],
    flush: (c: TransformStreamDefaultController<number>) => {
      trace.push(`flush@${clock.turn}`);
      c.enqueue(-1);
    },
    cancel: (r: unknown) => void trace.push(`cancel(${reasonName(r)})@${clock.turn}`),
  };
  const ts = new impl.TransformStream<number, number>(
    transformer as ConstructorParameters<typeof TransformStream<number, number>>[0],
    { highWaterMark: setup.writableHwm },
    { highWaterMark: setup.readableHwm },
  );
  const writer = ts.writable.getWriter();
  const reader = ts.readable.getReader();
  let k = 0;
  for (const o of ops) {
    const id = k++;
    const label = `${o.op}${id}`;
    const settle = (p: Promise<unknown>, show: (v: unknown) => string = () => 'ok') =>
      p.then(
        (v) => void trace.push(`${label}:${show(v)}@${clock.turn}`),
        (e) => void trace.push(`${label}:rejected(${reasonName(e)})@${clock.turn}`),
      );
    try {
      switch (o.op) {
        case 'write':
          settle(writer.write(o.v));
          break;
        case 'read':
          settle(reader.read(), (r) => {
            const { value, done } = r as { value: number; done: boolean };
            return done ? 'done' : String(value);
          });
          break;
        case 'close':
          settle(writer.close());
          break;
        case 'abort':
          settle(writer.abort('stop'));
          break;
        case 'cancel':
          settle(reader.cancel('bye'));
          break;
        case 'ready':
          settle(writer.ready);
          break;
        case 'error':
          controller.error('broken');
          break;
        case 'terminate':
          controller.terminate();
          break;
        case 'flush':
          await flushCounting();
          break;
      }
      trace.push(`${label}:ok writer=${desiredOf(writer)} readable=${desiredOf(controller)}`);
    } catch (e) {
      trace.push(`${label}:threw(${reasonName(e)})`);
    }
  }
  await flushCounting();
  return trace;
}

/** How a stage of chainTurnTrace transforms its chunks. */
export type ChainStageKind = 'enqueue' | 'double' | 'microtasks' | 'later' | 'desired' | 'identity';

export interface ChainSetup {
  sourceHwm: number;
  /** Chunks the source makes (its pull() enqueues one per call, then closes). */
  chunks: number;
  /** The source's pull() returns a promise that a microtask later fulfils. */
  asyncPull: boolean;
  stages: Array<{ kind: ChainStageKind; writableHwm: number; readableHwm: number }>;
  sinkHwm: number;
  /** The sink's write() returns a promise that a microtask later fulfils. */
  asyncSink: boolean;
}

/**
 * A source piped through TransformStreams into a sink, every call into script stamped with the
 * microtask turn it ran in (a ticker counts the turns), and the microtasks the transforms queue
 * too: a record of where each job ran among the others.
 */
export async function chainTurnTrace(impl: PipeImpl, setup: ChainSetup): Promise<string[]> {
  const trace: string[] = [];
  let turn = 0;
  let ticking = true;
  // Bounded, so that a chain that never finishes fails the property instead of starving the event loop.
  void (async () => {
    while (ticking && turn < 100_000) {
      await null;
      turn++;
    }
  })();
  let next = 0;
  const source = new impl.ReadableStream<number>(
    {
      pull: (c) => {
        trace.push(`pull@${turn} desired=${c.desiredSize}`);
        if (next < setup.chunks) c.enqueue(next++);
        if (next === setup.chunks) c.close();
        return setup.asyncPull ? Promise.resolve().then(() => void trace.push(`pulled@${turn}`)) : undefined;
      },
    },
    { highWaterMark: setup.sourceHwm },
  );
  let chain: ReadableStream<number> = source;
  setup.stages.forEach(({ kind, writableHwm, readableHwm }, k) => {
    const log = (what: string) => trace.push(`T${k}.${what}@${turn}`);
    const transforms: Record<ChainStageKind, ((chunk: number, c: TransformStreamDefaultController<number>) => void | Promise<void>) | undefined> = {
      enqueue: (chunk, c) => {
        log(`transform(${chunk})`);
        c.enqueue(chunk + 1);
      },
      double: (chunk, c) => {
        log(`transform(${chunk})`);
        c.enqueue(chunk);
        c.enqueue(chunk + 100);
      },
      microtasks: (chunk, c) => {
        log(`transform(${chunk})`);
        queueMicrotask(() => log(`before(${chunk})`));
        c.enqueue(chunk);
        queueMicrotask(() => {
          log(`after(${chunk})`);
          queueMicrotask(() => log(`after2(${chunk})`));
        });
      },
      later: (chunk, c) => {
        log(`transform(${chunk})`);
        return Promise.resolve().then(() => {
          log(`enqueue(${chunk})`);
          c.enqueue(chunk);
        });
      },
      desired: (chunk, c) => {
        log(`transform(${chunk}) desired=${c.desiredSize}`);
        c.enqueue(chunk);
        log(`enqueued desired=${c.desiredSize}`);
      },
      identity: undefined,
    };
    const transform = transforms[kind];
    const ts = new impl.TransformStream<number, number>(
      transform === undefined ? {} : { transform, flush: () => void log('flush') },
      { highWaterMark: writableHwm },
      { highWaterMark: readableHwm },
    );
    chain = chain.pipeThrough(ts);
  });
  const sink = new impl.WritableStream<number>(
    {
      write: (chunk) => {
        trace.push(`write(${chunk})@${turn}`);
        return setup.asyncSink ? Promise.resolve().then(() => void trace.push(`written(${chunk})@${turn}`)) : undefined;
      },
      close: () => void trace.push(`close@${turn}`),
    },
    { highWaterMark: setup.sinkHwm },
  );
  const piped = chain.pipeTo(sink).then(
    () => trace.push(`done@${turn}`),
    (e) => trace.push(`failed(${String(e)})@${turn}`),
  );
  await Promise.race([piped, new Promise((resolve) => setTimeout(resolve, 2000))]);
  ticking = false;
  return trace;
}
