// SIGTERM under load: the real CLI in a child process; requests started before the signal
// (some streaming for over a second) all finish; readiness fails at once; new connections are
// refused; the process exits 0 (a clean drain). Prints its figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get, sleep } from '../integration/helpers.js';

const CLI = fileURLToPath(new URL('../../src/host/cli.ts', import.meta.url));
const TOKEN = 'reliability-admin-token-0123';

test('SIGTERM drains in-flight requests (streaming ones too), refuses new ones, exits 0', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nano-sigterm-'));
  await writeFile(join(dir, 'slow.js'), `
    export default { fetch(request) {
      let i = 0, timer;
      return new Response(new ReadableStream({
        start(c) { timer = setInterval(() => { c.enqueue(new TextEncoder().encode('chunk' + i + '\\n')); if (++i === 12) { clearInterval(timer); c.close(); } }, 100); },
        cancel() { clearInterval(timer); },
      }));
    } };`);
  await writeFile(join(dir, 'fast.js'), `export default { async fetch() { await new Promise((r) => setTimeout(r, 300)); return new Response('fast done'); } };`);
  await writeFile(join(dir, 'nano.json'), JSON.stringify({
    server: { port: 0, shutdownDeadlineMs: 10_000 },
    admin: { port: 0, token: TOKEN },
    apps: [
      { name: 'slow', hostnames: ['slow.test'], module: 'slow.js' },
      { name: 'fast', hostnames: ['fast.test'], module: 'fast.js' },
    ],
  }));
  const { child, lines, exited } = await startCli(join(dir, 'nano.json'));
  const listening = lines.find((l) => l['msg'] === 'listening')!;
  const port = listening['port'] as number;
  const adminPort = listening['adminPort'] as number;

  // In flight before the signal: 8 streaming (1.2 s each) and 20 short requests.
  const started = Date.now();
  const streaming = Array.from({ length: 8 }, () => get(port, 'slow.test', '/', { timeoutMs: 20_000 }));
  const short = Array.from({ length: 20 }, () => get(port, 'fast.test', '/', { timeoutMs: 20_000 }));
  await sleep(150);
  child.kill('SIGTERM');
  await sleep(100);

  // Readiness fails at once (the admin port answers until the drain ends).
  const ready = await get(adminPort, '127.0.0.1', '/readyz', { headers: { authorization: `Bearer ${TOKEN}` } }).catch(() => ({ status: 0 }));
  assert.ok(ready.status === 503 || ready.status === 0, `readiness after SIGTERM: ${ready.status}`);
  // New connections are refused.
  const refused = await new Promise<boolean>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host: 'fast.test' } }, () => resolve(false));
    req.on('error', () => resolve(true));
    req.end();
  });
  assert.equal(refused, true, 'a new connection after SIGTERM is refused');

  const results = await Promise.allSettled([...streaming, ...short]);
  const failed = results.filter((r) => r.status === 'rejected' || r.value.status !== 200);
  const streamed = results.slice(0, 8).filter((r) => r.status === 'fulfilled' && r.value.text.split('\n').filter(Boolean).length === 12);
  const code = await exited;
  process.stdout.write(`# sigterm: ${results.length} in flight at the signal, ${failed.length} failed, ${streamed.length}/8 streams complete, drained in ${Date.now() - started} ms, exit ${code}\n`);
  assert.equal(failed.length, 0);
  assert.equal(streamed.length, 8);
  assert.equal(code, 0, 'a clean drain exits 0');
  assert.ok(lines.some((l) => l['msg'] === 'shut down' && l['clean'] === true));
});

test('a second SIGTERM during the drain exits at once, with 143 (128 + SIGTERM) as a process the signal ended', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nano-sigterm2-'));
  await writeFile(join(dir, 'hang.js'), `export default { fetch() { return new Response(new ReadableStream({ pull() { return new Promise(() => {}); } })); } };`);
  await writeFile(join(dir, 'nano.json'), JSON.stringify({
    server: { port: 0, shutdownDeadlineMs: 30_000 },
    apps: [{ name: 'hang', hostnames: ['hang.test'], module: 'hang.js' }],
  }));
  const { child, lines, exited } = await startCli(join(dir, 'nano.json'));
  const port = lines.find((l) => l['msg'] === 'listening')!['port'] as number;
  // A response that never ends keeps the drain waiting for its 30 s deadline.
  const hanging = get(port, 'hang.test', '/', { timeoutMs: 20_000 }).catch(() => undefined);
  await sleep(300);
  const signalled = Date.now();
  child.kill('SIGTERM');
  await sleep(300);
  child.kill('SIGTERM');
  const code = await exited;
  await hanging;
  assert.equal(code, 143);
  assert.ok(Date.now() - signalled < 10_000, 'it did not wait for the drain');
  assert.ok(lines.some((l) => l['msg'] === 'second signal: exiting now' && l['signal'] === 'SIGTERM'));
});

/** The real CLI in a child process, its JSON log lines collected; resolves once it listens. */
async function startCli(config: string) {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--harmony-rab-gsab-transfer', '--import', 'tsx', CLI, 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  child.stdout!.on('data', (c) => {
    buffer += c;
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        lines.push(JSON.parse(line));
      } catch {
        // not a log line
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  while (!lines.some((l) => l['msg'] === 'listening')) await sleep(20);
  return { child, lines, exited };
}
