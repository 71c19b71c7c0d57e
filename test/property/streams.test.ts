// Property-based backpressure and differential tests (fast-check), fixed seed, CI budget.
// `npm run fuzz` runs the same properties long, with random seeds.
import { test } from 'node:test';
import * as nano from '../../src/streams/index.js';
import * as polyfill from 'web-streams-polyfill';
import * as P from './properties.js';
import { pipeJobJoins } from '../../src/streams/readable-stream/pipe.js';

const SEED = 20261125;
const impl = nano as unknown as P.Impl;
const oracle = polyfill as unknown as P.Impl;

test('readable: desiredSize, order, exactly once, pull discipline', () => P.readableQueue(impl, { seed: SEED, numRuns: 200 }));
test('byte streams: BYOB reads with min deliver the bytes enqueued, in distinct buffers', () => P.byobReads(impl, { seed: SEED, numRuns: 150 }));
test('writable: ready pending exactly under backpressure; writes settle in order', () => P.writableBackpressure(impl, { seed: SEED, numRuns: 150 }));
test('abort(reason) reaches the sink once, with that reason', () => P.abortReason(impl, { seed: SEED, numRuns: 150 }));
test('cancel(reason) reaches the source once, through transforms', () => P.cancelReason(impl, { seed: SEED, numRuns: 150 }));
test('a source error reaches the sink through a pipe chain', () => P.errorPropagation(impl, { seed: SEED, numRuns: 150 }));
test('pipe chains: complete, in order, exactly once, buffering bounded', () => P.pipeChains(impl, { seed: SEED, numRuns: 120 }));
test('tee: both branches see the same sequence', () => P.teeSequence(impl, { seed: SEED, numRuns: 150 }));
test('byte tee: equal bytes in distinct buffers', () => P.teeBytes(impl, { seed: SEED, numRuns: 150 }));
test('differential (readable): the same trace as the reference implementation, 1000 sequences', () =>
  P.differentialReadable(impl, oracle, { seed: SEED, numRuns: 1000 }));
test('async iterator: primitive chunks (fast path) and boxed ones (spec steps) give the same trace, 600 sequences', () =>
  P.iteratorFastPath(impl, { seed: SEED, numRuns: 600 }));
test('differential (writable): the same trace as the reference implementation, 500 sequences', () =>
  P.differentialWritable(impl, oracle, { seed: SEED, numRuns: 500 }));
test('differential (byte streams): BYOB/default reads, respond, min, autoAllocate: the same trace, 400 sequences', () =>
  P.differentialBytes(impl, oracle, { seed: SEED, numRuns: 400 }));
test('differential (tee): reads and cancels on either branch: the same trace, 400 sequences', () =>
  P.differentialTee(impl, oracle, { seed: SEED, numRuns: 400 }));
test('differential (transform streams): writes, reads, close, abort, cancel, error, terminate: the same trace turn for turn, 500 sequences', () =>
  P.differentialTransform(impl, oracle, { seed: SEED, numRuns: 500 }));
test('differential (pipe chains): prevent* options, sink errors, abort signals: the same state at every step, 300 sequences', () =>
  P.differentialPipe(impl, oracle, { seed: SEED, numRuns: 300 }));
test('a pipe write and a pull completion queued just behind or before it, joined (ledger #26, #27): every call into script in the same microtask turn as without, 400 chains', () =>
  P.pipeWriteJoin(impl, pipeJobJoins, { seed: SEED, numRuns: 400 }));
