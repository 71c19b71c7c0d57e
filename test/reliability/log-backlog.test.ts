// A log output that stops reading (stdout into a stuck pipe) must not become the host's memory:
// the real CLI in a child whose stdout this test stops reading, an app logging 50 MB per request.
// Before the bound the host's RSS grew ~100 MiB per request; past 16 MiB waiting, lines are now
// dropped and counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get, sleep, until } from '../integration/helpers.js';

const CLI = fileURLToPath(new URL('../../src/host/cli.ts', import.meta.url));
const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

test('a stuck log output costs the host a bounded backlog, not memory without end; lines lost are reported', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nano-logs-'));
  await writeFile(join(dir, 'flood.js'), `export default { fetch() {
    const line = 'x'.repeat(1000);
    for (let i = 0; i < 50000; i++) console.log(line);
    return new Response('logged');
  } };`);
  await writeFile(join(dir, 'nano.json'), JSON.stringify({
    server: { port: 0 },
    // The app's own log rate out of the way: this is about the host's log output.
    apps: [{ name: 'flood', hostnames: ['flood.test'], module: 'flood.js', limits: { cpuMsPerRequest: 20_000, logKbPerSecond: 1_048_576 } }],
  }));
  const child = spawn(process.execPath, ['--no-node-snapshot', '--harmony-rab-gsab-transfer', '--import', 'tsx', CLI, 'serve', '--config', join(dir, 'nano.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    const onData = (c: Buffer): void => void (out += c);
    child.stdout!.on('data', onData);
    await until(() => out.includes('"listening"'), 30_000, 'listening');
    const port = JSON.parse(out.split('\n').find((l) => l.includes('"listening"'))!)['port'] as number;
    // From here nobody reads the host's stdout (the pipe and this side's buffer fill up).
    child.stdout!.off('data', onData);
    child.stdout!.pause();
    await get(port, 'flood.test', '/', { timeoutMs: 60_000 });
    const before = rssMiB(child.pid!);
    // The garbage of 50 MB of lines per request makes a sawtooth; the held backlog must not climb.
    let peak = before;
    for (let i = 0; i < 12; i++) {
      assert.equal((await get(port, 'flood.test', '/', { timeoutMs: 60_000 })).text, 'logged');
      peak = Math.max(peak, rssMiB(child.pid!));
    }
    const grown = peak - before;
    console.log(`host RSS peak +${grown.toFixed(0)} MiB over 12 requests of 50 MB of log lines each, stdout not read`);
    // Measured: +980 MiB and climbing ~100 MiB a request without the bound; +190-240 MiB with it.
    assert.ok(grown < 450, `the host grew ${grown.toFixed(0)} MiB`);
    // Reading again: the host says how many lines it dropped.
    let tail = '';
    child.stdout!.on('data', (c: Buffer) => void (tail += c));
    child.stdout!.resume();
    // 13 requests logged 650,000 lines; the backlog holds ~16,000 of them.
    const reported = (): number => [...tail.matchAll(/"droppedLines":(\d+),"msg":"log lines dropped/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    await until(() => reported() > 500_000, 30_000, 'reports of the lines dropped');
  } finally {
    child.kill('SIGKILL');
    await sleep(50);
  }
});
