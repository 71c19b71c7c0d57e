// npm run fuzz: the properties for a long time with random seeds (FUZZ_RUNS, default 2000 per
// property; FUZZ_SEED to replay). On failure fast-check prints the seed, the path and the shrunk
// counterexample; replay it with FUZZ_SEED=<seed> (and the property name as an argument).
import * as nano from '../../src/streams/index.js';
import * as polyfill from 'web-streams-polyfill';
import * as P from './properties.js';
import { pipeJobJoins } from '../../src/streams/readable-stream/pipe.js';

const runs = Number(process.env['FUZZ_RUNS'] ?? 2000);
const only = process.argv[2];
const impl = nano as unknown as P.Impl;
const oracle = polyfill as unknown as P.Impl;
const properties: Record<string, (options: P.RunOptions) => Promise<void>> = {
  readableQueue: (o) => P.readableQueue(impl, o),
  byobReads: (o) => P.byobReads(impl, o),
  writableBackpressure: (o) => P.writableBackpressure(impl, o),
  abortReason: (o) => P.abortReason(impl, o),
  cancelReason: (o) => P.cancelReason(impl, o),
  errorPropagation: (o) => P.errorPropagation(impl, o),
  pipeChains: (o) => P.pipeChains(impl, o),
  teeSequence: (o) => P.teeSequence(impl, o),
  teeBytes: (o) => P.teeBytes(impl, o),
  differentialReadable: (o) => P.differentialReadable(impl, oracle, o),
  differentialWritable: (o) => P.differentialWritable(impl, oracle, o),
  differentialBytes: (o) => P.differentialBytes(impl, oracle, o),
  differentialTee: (o) => P.differentialTee(impl, oracle, o),
  iteratorFastPath: (o) => P.iteratorFastPath(impl, o),
  differentialTransform: (o) => P.differentialTransform(impl, oracle, o),
  differentialPipe: (o) => P.differentialPipe(impl, oracle, o),
  pipeWriteJoin: (o) => P.pipeWriteJoin(impl, pipeJobJoins, o),
};
let failed = 0;
for (const [name, property] of Object.entries(properties)) {
  if (only && only !== name) continue;
  const seed = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : (Math.random() * 2 ** 31) | 0;
  const started = Date.now();
  try {
    await property({ seed, numRuns: runs });
    process.stdout.write(`ok   ${name}: ${runs} runs, seed ${seed}, ${Date.now() - started} ms\n`);
  } catch (error) {
    failed++;
    process.stdout.write(`FAIL ${name} (seed ${seed}; replay: FUZZ_SEED=${seed} npm run fuzz -- ${name})\n${(error as Error).message}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
