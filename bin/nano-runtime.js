#!/usr/bin/env node
// Starts the host with its node flags (src/host/node-flags.ts: what isolated-vm and the streams
// need on Node 20, and the host heap's tuning), re-executing node when they are missing (node
// flags the user gave come after them, so the user's win), then runs the built CLI (dist/host/cli.js).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const { HOST_NODE_FLAGS: FLAGS } = await import(new URL('../dist/host/node-flags.js', import.meta.url).href);
const cli = fileURLToPath(new URL('../dist/host/cli.js', import.meta.url));
if (FLAGS.every((flag) => process.execArgv.includes(flag))) {
  const { main } = await import(cli);
  process.exit(await main(process.argv.slice(2)));
} else {
  const child = spawn(process.execPath, [...FLAGS, ...process.execArgv, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
