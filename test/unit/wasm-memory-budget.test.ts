// WebAssembly memories are outside the isolate's heap limit; the runtime caps the maxima a module
// declares (src/runtime/wasm-memory-budget.ts). The binary rewrite, checked against V8's own
// reading of the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { capModuleMemories } from '../../src/runtime/wasm-memory-budget.js';

const run = promisify(execFile);

const HEADER = [0, 97, 115, 109, 1, 0, 0, 0];
/** A module with one memory (limits as given) exported as "mem". */
function moduleWith(limits: number[]): Uint8Array {
  const memorySection = [1, ...limits];
  return Uint8Array.from([...HEADER, 5, memorySection.length, ...memorySection, 7, 7, 1, 3, 109, 101, 109, 2, 0]);
}
// The compiler's lib has no WebAssembly types: the shapes used here.
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
const WA = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object; Instance: new (m: object) => { exports: Record<string, unknown> } } }).WebAssembly;
const memoryOf = (bytes: Uint8Array) => new WA.Instance(new WA.Module(bytes)).exports['mem'] as WasmMemory;

test('a memory without a maximum gets the cap; one below the cap keeps its own; V8 reads the result', () => {
  const free = capModuleMemories(moduleWith([0x00, 1]), 100);
  assert.equal(free.pages, 100);
  const memory = memoryOf(free.bytes);
  assert.equal(memory.buffer.byteLength, 65536);
  assert.throws(() => memory.grow(100), RangeError, 'growing past the cap fails');
  memory.grow(99);

  const small = moduleWith([0x01, 1, 5]);
  const kept = capModuleMemories(small, 100);
  assert.equal(kept.pages, 5);
  assert.equal(kept.bytes, small, 'nothing to change: the same bytes');
});

test('a large maximum (multi-byte LEB128) is rewritten; an initial size above the cap is refused', () => {
  const big = capModuleMemories(moduleWith([0x01, 2, 0x80, 0x80, 0x04]), 300); // maximum 65536
  assert.equal(big.pages, 300);
  const memory = memoryOf(big.bytes);
  assert.throws(() => memory.grow(299), RangeError);
  memory.grow(298);
  assert.throws(() => capModuleMemories(moduleWith([0x00, 0x90, 0x03]), 100), RangeError); // initial 400
});

test('a module without a memory is left alone', () => {
  const bytes = Uint8Array.from([...HEADER, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 65, 42, 11]);
  const result = capModuleMemories(bytes, 10);
  assert.equal(result.pages, 0);
  assert.equal(result.bytes, bytes);
});

test("a module's memory stays in the budget while an exported Memory outlives its instance", async () => {
  // In a child with gc() and the budget installed (1 MiB: 16 pages a memory, 128 in all): eight
  // instances of a module exporting a 16-page memory use the budget up. Their instances are
  // dropped and only the memories kept: after a collection a ninth is still refused; once the
  // memories go too, it is made.
  const budget = new URL('../../src/runtime/wasm-memory-budget.ts', import.meta.url).href;
  const script = `
    const { installWasmMemoryBudget } = await import(${JSON.stringify(budget)});
    installWasmMemoryBudget(1);
    const bytes = Uint8Array.from(${JSON.stringify([...moduleWith([0x01, 1, 16])])});
    const module = new WebAssembly.Module(bytes);
    const collect = async () => { for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); } };
    const ninth = () => { try { new WebAssembly.Instance(module); return 'made'; } catch (e) { return e.name; } };
    let memories = [];
    for (let i = 0; i < 8; i++) memories.push(new WebAssembly.Instance(module).exports.mem);
    await collect();
    const whileHeld = ninth();
    memories = [];
    await collect();
    console.log(JSON.stringify([memories.length, whileHeld, ninth()]));`;
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '--eval', script], { timeout: 60_000 });
  assert.deepEqual(JSON.parse(stdout), [0, 'RangeError', 'made']);
});

test('in an isolate: WebAssembly.compileStreaming and instantiateStreaming take a Response (or a promise of one) as the Web API says', { timeout: 30_000 }, async () => {
  const { NanoIsolate } = await import('../../src/host/isolate/nano-isolate.js');
  const nano = await NanoIsolate.create({ memoryLimitMb: 32 });
  try {
    const result = (await nano.context.eval(
      `(async () => {
        // (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
        const add = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0, 7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11]);
        // (memory (export "mem") 1) with no maximum: the budget caps it.
        const mem = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 7, 1, 3, 109, 101, 109, 2, 0]);
        const wasm = (bytes, init = {}) => new Response(bytes, { ...init, headers: { 'content-type': 'application/wasm', ...init.headers } });
        const out = [];
        const { module, instance } = await WebAssembly.instantiateStreaming(wasm(add));
        out.push(instance.exports.add(2, 3), module instanceof WebAssembly.Module, instance instanceof WebAssembly.Instance);
        // A promise of a Response, a streamed body, the type trimmed and in any case.
        const streamed = new Response(new ReadableStream({ start(c) { c.enqueue(add.slice(0, 9)); c.enqueue(add.slice(9)); c.close(); } }), { headers: { 'content-type': ' Application/WASM\\t' } });
        out.push(WebAssembly.Module.exports(await WebAssembly.compileStreaming(Promise.resolve(streamed)))[0].name);
        const memory = (await WebAssembly.instantiateStreaming(wasm(mem))).instance.exports.mem;
        let grew;
        try { memory.grow(32 * 16); grew = 'grew'; } catch (e) { grew = e.name; }
        out.push('memory past the app limit: ' + grew);
        const refused = async (label, source) => {
          try { await WebAssembly.compileStreaming(source); out.push(label + ': compiled'); } catch (e) { out.push(label + ': ' + e.name); }
        };
        await refused('parameters', new Response(add, { headers: { 'content-type': 'application/wasm; charset=utf-8' } }));
        await refused('no type', new Response(add));
        await refused('404', wasm(add, { status: 404 }));
        await refused('bytes', add);
        const used = wasm(add);
        await used.arrayBuffer();
        await refused('used', used);
        await refused('not wasm', wasm(new Uint8Array([0, 1, 2])));
        await refused('rejected', Promise.reject(new RangeError('x')));
        const d = Object.getOwnPropertyDescriptor(WebAssembly, 'instantiateStreaming');
        out.push([d.writable, d.enumerable, d.configurable, WebAssembly.compileStreaming.length, WebAssembly.instantiateStreaming.length].join());
        return out.join('|');
      })()`,
      { promise: true },
    )) as string;
    assert.deepEqual(result.split('|'), [
      '5',
      'true',
      'true',
      'add',
      'memory past the app limit: RangeError',
      'parameters: TypeError',
      'no type: TypeError',
      '404: TypeError',
      'bytes: TypeError',
      'used: TypeError',
      'not wasm: CompileError',
      'rejected: RangeError',
      'true,false,true,1,1',
    ]);
  } finally {
    nano.dispose();
  }
});
