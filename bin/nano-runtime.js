#!/usr/bin/env node
// Starts the host with the flags isolated-vm needs on Node 20 (--no-node-snapshot), re-executing
// node when they are missing, then runs the built CLI (dist/host/cli.js).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FLAGS = ['--no-node-snapshot', '--harmony-rab-gsab-transfer'];
const cli = fileURLToPath(new URL('../dist/host/cli.js', import.meta.url));
if (FLAGS.every((flag) => process.execArgv.includes(flag))) {
  const { main } = await import(cli);
  process.exit(await main(process.argv.slice(2)));
} else {
  const child = spawn(process.execPath, [...FLAGS, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
