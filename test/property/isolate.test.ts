// The injected build behaves like the library build: the differential traces of random
// operation sequences, run inside an isolate with the NANO runtime and in Node on the library
// build, are identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import fc from 'fast-check';
import * as nano from '../../src/streams/index.js';
import { NanoIsolate } from '../../src/host/isolate/nano-isolate.js';
import { diffOps, writableOps, byteOps, teeOps, pipeSetup, pipeOps, transformSetup, transformOps } from './properties.js';
import { readableTrace, writableTrace, byteTrace, teeTrace, pipeTrace, transformTrace, type TraceImpl, type PipeImpl } from './trace.js';

const SEED = 20261125;

test('readable, writable, byte, tee, transform and pipe traces inside an isolate equal the library build\'s (410 sequences)', { timeout: 120_000 }, async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./trace.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__trace',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'silent',
  });
  const nanoIsolate = await NanoIsolate.create();
  try {
    await nanoIsolate.evaluate(`${bundle.outputFiles[0]!.text}; 0`, 'trace.js');
    const run = (fn: string, args: unknown[]) =>
      nanoIsolate.context.evalClosure(`return __trace.${fn}(globalThis, ...$0).then(JSON.stringify)`, [args], {
        arguments: { copy: true },
        result: { promise: true, copy: true },
      }) as unknown as Promise<string>;
    const readables = fc.sample(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean(), diffOps), { seed: SEED, numRuns: 100 });
    for (const [hwm, withPull, ops] of readables) {
      const inIsolate = JSON.parse(await run('readableTrace', [hwm, withPull, ops]));
      assert.deepEqual(inIsolate, await readableTrace(nano as unknown as TraceImpl, hwm, withPull, ops));
    }
    const writables = fc.sample(fc.tuple(fc.integer({ min: 0, max: 6 }), writableOps), { seed: SEED, numRuns: 100 });
    for (const [hwm, ops] of writables) {
      const inIsolate = JSON.parse(await run('writableTrace', [hwm, ops]));
      assert.deepEqual(inIsolate, await writableTrace(nano as unknown as TraceImpl, hwm, ops));
    }
    const bytes = fc.sample(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.constantFrom(0, 4), fc.boolean(), byteOps), { seed: SEED, numRuns: 60 });
    for (const [hwm, auto, withPull, ops] of bytes) {
      const inIsolate = JSON.parse(await run('byteTrace', [hwm, auto, withPull, ops]));
      assert.deepEqual(inIsolate, await byteTrace(nano as unknown as TraceImpl, hwm, auto, withPull, ops));
    }
    const tees = fc.sample(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean(), teeOps), { seed: SEED, numRuns: 50 });
    for (const [hwm, withPull, ops] of tees) {
      const inIsolate = JSON.parse(await run('teeTrace', [hwm, withPull, ops]));
      assert.deepEqual(inIsolate, await teeTrace(nano as unknown as TraceImpl, hwm, withPull, ops));
    }
    const transforms = fc.sample(fc.tuple(transformSetup, transformOps), { seed: SEED, numRuns: 60 });
    for (const [setup, ops] of transforms) {
      const inIsolate = JSON.parse(await run('transformTrace', [setup, ops]));
      assert.deepEqual(inIsolate, await transformTrace(nano as unknown as PipeImpl, setup, ops));
    }
    const pipes = fc.sample(fc.tuple(pipeSetup, pipeOps), { seed: SEED, numRuns: 40 });
    for (const [setup, ops] of pipes) {
      const inIsolate = JSON.parse(await run('pipeTrace', [setup, ops]));
      assert.deepEqual(inIsolate, await pipeTrace(nano as unknown as PipeImpl, setup, ops));
    }
  } finally {
    nanoIsolate.dispose();
  }
});
