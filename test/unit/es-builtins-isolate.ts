// Runs a script in a fresh NANO isolate (the full runtime installed, as an app's realm) and
// returns what it resolves to, parsed from JSON: the es-builtins*.test.ts files check the
// built-ins there, where the isolate's V8 (Node 20) lacks them.
import { NanoIsolate } from '../../src/host/isolate/nano-isolate.js';

export async function evalInIsolate<T = Record<string, unknown>>(script: string): Promise<T> {
  const nano = await NanoIsolate.create({ memoryLimitMb: 32 });
  try {
    // `script` is the body of a strict async function that returns a JSON-able value.
    const json = (await nano.context.eval(`(async () => { 'use strict';\n${script}\n})().then((value) => JSON.stringify(value))`, { promise: true })) as string;
    return JSON.parse(json) as T;
  } finally {
    nano.dispose();
  }
}
