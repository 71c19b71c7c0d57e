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
