// App code cannot reach the host, and two isolates share nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NanoIsolate } from '../../src/host/isolate/nano-isolate.js';

async function run(nano: NanoIsolate, code: string): Promise<unknown> {
  return nano.evaluate(`(() => { ${code} })()`, 'probe.js');
}

test('no host objects are reachable from app code', async () => {
  const nano = await NanoIsolate.create();
  try {
    const globals = (await run(nano, `return ['process', 'require', 'Buffer', 'module', 'global', '__dirname', 'setImmediate', '__nanoControl', '__nanoBoot', '__nanoRuntime']
      .filter((name) => name in globalThis || typeof globalThis[name] !== 'undefined');`)) as string[];
    assert.deepEqual(globals, []);
    // No __nanoHost_* functions stay on the global.
    assert.deepEqual(await run(nano, `return Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith('__'));`), []);
    // Constructor-chain escapes: every function reachable from the globals is this isolate's own.
    const escapes = await run(nano, `
      const found = [];
      const hostFunction = Function;
      const seen = new Set();
      const visit = (value, path, depth) => {
        if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value) || depth > 3) return;
        seen.add(value);
        if (typeof value === 'function') {
          // The Function constructor reachable from any function must be this realm's.
          if (value.constructor !== hostFunction && value.constructor !== Object.getPrototypeOf(async function () {}).constructor
              && value.constructor !== Object.getPrototypeOf(function* () {}).constructor
              && value.constructor !== Object.getPrototypeOf(async function* () {}).constructor) found.push(path);
        }
        for (const key of Reflect.ownKeys(value)) {
          let child;
          try { const d = Object.getOwnPropertyDescriptor(value, key); child = d && 'value' in d ? d.value : undefined; } catch { continue; }
          visit(child, path + '.' + String(key), depth + 1);
        }
      };
      visit(globalThis, 'globalThis', 0);
      return found;`);
    assert.deepEqual(escapes, []);
    // The classic escape: a function's constructor builds code in the isolate, never in Node.
    assert.equal(await run(nano, `return (crypto.getRandomValues.constructor)('return typeof process')();`), 'undefined');
    assert.equal(await run(nano, `return fetch.constructor('return typeof require')();`), 'undefined');
  } finally {
    nano.dispose();
  }
});

test('two isolates share nothing: globals, prototypes, timers', async () => {
  const a = await NanoIsolate.create();
  const b = await NanoIsolate.create();
  try {
    await run(a, `globalThis.secret = 'a'; Array.prototype.polluted = true; ReadableStream.prototype.getReader = () => 'hijacked'; return 0;`);
    assert.equal(await run(b, `return typeof globalThis.secret;`), 'undefined');
    assert.equal(await run(b, `return [].polluted === undefined;`), true);
    assert.equal(await run(b, `return typeof new ReadableStream().getReader().read;`), 'function');
    // And a's own streams still work internally after the patch (intrinsics captured at boot).
    assert.equal(await run(a, `let out; new Response('x').text().then((t) => (globalThis.out = t)); return 0;`), 0);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await run(a, `return globalThis.out;`), 'x');
  } finally {
    a.dispose();
    b.dispose();
  }
});
