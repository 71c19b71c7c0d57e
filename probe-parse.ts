import { parseURLInIsolate } from './src/web/url-parser.js';
const idna = (d: string) => d.toLowerCase();
const inputs: [string, string | undefined][] = [];
for (let i = 0; i < 2000; i++) {
  inputs.push([`HTTPS://Example.com/api/v1/items/${i}?page=${i}&sort=-name`, undefined]);
  inputs.push([`https://example.com/a/b/../c/${i}/./d?q=${i}#frag`, undefined]);
  inputs.push([`./items/${i}?x=${i}`, 'https://example.com/api/v1/']);
  inputs.push([`https://user:pass@example.com:8443/path with space/${i}`, undefined]);
  inputs.push([`http://192.168.0.${i & 255}:8080/x/${i}`, undefined]);
}
let sink = 0;
const times: number[] = [];
for (let round = 0; round < 30; round++) {
  const t = process.hrtime.bigint();
  for (let k = 0; k < 5; k++) for (const [input, base] of inputs) sink += parseURLInIsolate(input, base, idna)!.href.length;
  times.push(Number(process.hrtime.bigint() - t) / (5 * inputs.length));
}
times.sort((a, b) => a - b);
console.log(`min ${times[0]!.toFixed(0)} median ${times[15]!.toFixed(0)} ns/parse`, sink > 0);
