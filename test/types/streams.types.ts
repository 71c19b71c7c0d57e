// A type test: `npm run typecheck` compiles this file; each @ts-expect-error must be an error,
// so a regression in the published typings fails the build.
import {
  ReadableStream,
  WritableStream,
  TransformStream,
  ReadableStreamBYOBReader,
  ReadableStreamDefaultReader,
  CountQueuingStrategy,
  type ReadableStreamReadResult,
} from '../../src/streams/index.js';

export async function typeTests(): Promise<void> {
  const numbers = new ReadableStream<number>({
    start(controller) {
      controller.enqueue(1);
      // @ts-expect-error a string is not a number chunk
      controller.enqueue('x');
    },
  }, new CountQueuingStrategy({ highWaterMark: 2 }));
  const reader: ReadableStreamDefaultReader<number> = numbers.getReader();
  const result: ReadableStreamReadResult<number> = await reader.read();
  const n: number | undefined = result.value;
  void n;

  const bytes = new ReadableStream({ type: 'bytes', autoAllocateChunkSize: 1024 });
  const byob: ReadableStreamBYOBReader = bytes.getReader({ mode: 'byob' });
  const view = await byob.read(new Uint16Array(4), { min: 2 });
  const u16: Uint16Array | undefined = view.value;
  void u16;

  const doubled: ReadableStream<string> = numbers.pipeThrough(
    new TransformStream<number, string>({ transform: (chunk, c) => c.enqueue(String(chunk * 2)) }),
  );
  await doubled.pipeTo(new WritableStream<string>({ write(chunk) { void chunk.toUpperCase(); } }), { preventClose: true });
  // @ts-expect-error a number stream cannot be piped into a string sink
  await numbers.pipeTo(new WritableStream<string>());
  for await (const s of doubled) {
    const str: string = s;
    void str;
  }
  const fromIterable: ReadableStream<number> = ReadableStream.from([1, 2, 3]);
  void fromIterable;
}
