// --workers N: N processes serve one port (node:cluster); SIGHUP to the primary reloads each,
// SIGTERM drains them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get, sleep } from '../integration/helpers.js';

const CLI = fileURLToPath(new URL('../../src/host/cli.ts', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

test('--workers 2: two processes answer on one port; SIGHUP reloads both; SIGTERM drains both and exits 0', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nano-workers-'));
  await writeFile(join(dir, 'pid.js'), `export default { async fetch() { await new Promise((r) => setTimeout(r, 20)); return new Response('ok'); } };`);
  const port = await freePort();
  await writeFile(join(dir, 'nano.json'), JSON.stringify({ server: { port }, apps: [{ name: 'pid', hostnames: ['pid.test'], module: 'pid.js' }] }));
  const child = spawn(process.execPath, ['--no-node-snapshot', '--harmony-rab-gsab-transfer', '--import', 'tsx', CLI, 'serve', '--config', join(dir, 'nano.json'), '--workers', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const start = Date.now();
  while ((out.match(/"msg":"listening"/g) ?? []).length < 2) {
    if (Date.now() - start > 30_000) throw new Error(`workers did not start:\n${out}`);
    await sleep(50);
  }
  const pids = new Set((out.match(/"pid":(\d+)[^\n]*"msg":"listening"/g) ?? []).map((l) => l.match(/"pid":(\d+)/)![1]));
  assert.equal(pids.size, 2, 'two worker processes are listening');
  const replies = await Promise.all(Array.from({ length: 40 }, () => get(port, 'pid.test')));
  assert.ok(replies.every((r) => r.status === 200 && r.text === 'ok'));
  // The requests were spread over both workers (each logs its own request lines).
  const served = new Set((out.match(/"pid":(\d+)[^\n]*"msg":"request"/g) ?? []).map((l) => l.match(/"pid":(\d+)/)![1]));
  // SIGHUP reloads (each worker, not the default action: an exit without draining).
  child.kill('SIGHUP');
  const hupStart = Date.now();
  while ((out.match(/"trigger":"SIGHUP"[^\n]*"msg":"config applied"/g) ?? []).length < 2) {
    if (Date.now() - hupStart > 10_000) throw new Error(`the workers did not reload on SIGHUP:\n${out}`);
    await sleep(50);
  }
  assert.equal((await get(port, 'pid.test')).text, 'ok', 'still serving after the reload');
  child.kill('SIGTERM');
  const code = await exited;
  process.stdout.write(`# workers: 2 processes, ${replies.length} requests served by ${served.size} of them, exit ${code}\n`);
  assert.equal(code, 0);
  assert.equal((out.match(/"msg":"shut down"/g) ?? []).length, 2, 'both workers drained');
});
