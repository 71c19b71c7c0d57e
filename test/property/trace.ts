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
/** Runs `ops` on a readable stream of `impl`; the observable trace, in the order things happened. */
export async function readableTrace(impl: TraceImpl, hwm: number, withPull: boolean, ops: DiffOp[]): Promise<string[]> {
  const trace: string[] = [];
  const name = (e: unknown) => (e instanceof Error ? e.name : typeof e === 'string' ? `reason:${e}` : String(e));
  let controller!: ReadableStreamDefaultController<number>;
  let pulls = 0;
  const rs = new impl.ReadableStream<number>(
    {
      start: (c) => void (controller = c),
      pull: withPull ? () => void trace.push(`pull#${++pulls}`) : undefined,
      cancel: (r) => void trace.push(`source.cancel(${name(r)})`),
    },
    { highWaterMark: hwm },
  );
  let reader: ReadableStreamDefaultReader<number> | undefined = rs.getReader();
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
          if (reader) {
            reader.read().then(
              (r) => void trace.push(`read${id}:${r.done ? 'done' : r.value}`),
              (e) => void trace.push(`read${id}:rejected(${name(e)})`),
            );
          }
          break;
        case 'cancel':
          (reader ? reader.cancel('bye') : rs.cancel('bye')).then(
            () => void trace.push(`cancel${id}:ok`),
            (e) => void trace.push(`cancel${id}:rejected(${name(e)})`),
          );
          break;
        case 'releaseLock':
          reader?.releaseLock();
          reader = undefined;
          break;
        case 'getReader':
          if (!reader) reader = rs.getReader();
          break;
        case 'flush':
          await flush();
          break;
      }
      trace.push(`${step.op}${id}:ok desired=${safeDesired(controller)}`);
    } catch (e) {
      trace.push(`${step.op}${id}:threw(${name(e)})`);
    }
  }
  await flush();
  trace.push(`locked=${rs.locked}`);
  return trace;
}

function safeDesired(c: ReadableStreamDefaultController<number>): string {
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

