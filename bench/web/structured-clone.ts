// structuredClone inside an app isolate (src/web/structured-clone.ts, the realm's own JavaScript)
// beside Node's (V8's serializer, native) on the same data: ms per clone. The shapes: records of small objects (the common case), an array of numbers, strings,
// Maps and Sets, typed arrays.
//
//   npm run bench:clone
import { NanoIsolate } from '../../src/host/isolate/nano-isolate.js';

const SHAPES = `({
  'records: 10k x {id, name, tags[2], nested{}}': Array.from({ length: 10000 }, (_, i) => ({ id: i, name: 'n' + i, tags: ['a', 'b'], nested: { x: i } })),
  'numbers: array of 100k': Array.from({ length: 100000 }, (_, i) => i * 1.5),
  'strings: array of 20k': Array.from({ length: 20000 }, (_, i) => 'string number ' + i),
  'maps: 2k Maps of 5 entries in a Set': new Set(Array.from({ length: 2000 }, (_, i) => new Map([[1, i], [2, 'b'], [3, true], [4, null], [5, [i]]]))),
  'typed: 1k Float64Array(128)': Array.from({ length: 1000 }, () => new Float64Array(128)),
})`;

// Clones for at least 300 ms, three times; the median ms per clone. Date.now in the isolate: its
// performance.now reads the host's clock at most every 50 ms (see the README).
const TIMING = `(value) => {
  for (let i = 0; i < 3; i++) structuredClone(value);
  const perClone = [];
  for (let round = 0; round < 3; round++) {
    let count = 0;
    const start = Date.now();
    while (Date.now() - start < 300 || count < 3) {
      structuredClone(value);
      count++;
    }
    perClone.push((Date.now() - start) / count);
  }
  return perClone.sort((a, b) => a - b)[1];
}`;

const nano = await NanoIsolate.create({ memoryLimitMb: 512 });
try {
  const inIsolate = (await nano.evaluate(
    `const time = ${TIMING};
    const result = {};
    for (const [name, value] of Object.entries(${SHAPES})) result[name] = time(value);
    JSON.stringify(result);`,
    'structured-clone-bench.js',
  )) as string;
  const nanoMs = JSON.parse(inIsolate) as Record<string, number>;
  const time = (0, eval)(TIMING) as (value: unknown) => number;
  const shapes = (0, eval)(SHAPES) as Record<string, unknown>;
  console.log('| data | NANO in an isolate (ms per clone) | Node (ms per clone) | NANO / Node |\n|---|--:|--:|--:|');
  for (const [name, value] of Object.entries(shapes)) {
    const nodeMs = time(value);
    console.log(`| ${name} | ${nanoMs[name]!.toFixed(2)} | ${nodeMs.toFixed(2)} | ${(nanoMs[name]! / nodeMs).toFixed(1)}x |`);
  }
} finally {
  nano.dispose();
}
