// One isolate with the NANO runtime booted in it: the host half of src/runtime/host-api.ts.
// The runtime script is compiled once per process and its V8 code cache reused by every
// isolate after the first.
import { randomFillSync } from 'node:crypto';
import ivm from 'isolated-vm';
import type { BootInfo, HostApi, HostCodecResult } from '../../runtime/host-api.js';
import type { CodecInstance, CodecMode, CodecResult, CompressionFormat } from '../../web/compression-codec.js';
import { nodeCompressionCodec } from '../codec-node.js';
import { runtimeBundle } from './runtime-bundle.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface NanoIsolateOptions {
  /** The isolate's heap limit in MiB (isolated-vm's memoryLimit; minimum 8). */
  memoryLimitMb?: number;
  /** Where the app's console lines go. Default: dropped. */
  log?: (level: LogLevel, text: string) => void;
  userAgent?: string;
}

export const USER_AGENT = 'NANO/0.1';

let cachedData: ivm.ExternalCopy<ArrayBuffer> | undefined;

export class NanoIsolate {
  readonly isolate: ivm.Isolate;
  readonly context: ivm.Context;
  #timers = new Map<number, NodeJS.Timeout>();
  #codecs = new Map<number, CodecInstance>();
  #nextCodec = 1;
  #fireTimer: ivm.Reference<(id: number) => void> | undefined;
  #disposed = false;

  private constructor(isolate: ivm.Isolate, context: ivm.Context) {
    this.isolate = isolate;
    this.context = context;
  }

  static async create(options: NanoIsolateOptions = {}): Promise<NanoIsolate> {
    const timeOrigin = performance.timeOrigin + performance.now();
    const isolate = new ivm.Isolate({ memoryLimit: Math.max(8, options.memoryLimitMb ?? 128) });
    try {
      const context = await isolate.createContext();
      const self = new NanoIsolate(isolate, context);
      await self.#boot(options, timeOrigin);
      return self;
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw error;
    }
  }

  async #boot(options: NanoIsolateOptions, timeOrigin: number): Promise<void> {
    const { code, filename } = await runtimeBundle();
    const log = options.log ?? (() => {});
    const start = performance.now();
    const api: HostApi = {
      timerStart: (id, ms) => this.#timerStart(id, ms),
      timerClear: (id) => this.#timerClear(id),
      log: (level, text) => log(level, String(text)),
      now: () => performance.now() - (timeOrigin - performance.timeOrigin),
      randomBytes: (length) => randomFillSync(new Uint8Array(Math.min(Math.max(0, length | 0), 1 << 20))),
      codecCreate: (format, mode) => this.#codecCreate(format, mode),
      codecPush: (id, bytes) => this.#codecCall(id, (codec) => codec.push(bytes)),
      codecFinish: (id) => this.#codecCall(id, (codec) => codec.finish(), true),
      codecClose: (id) => {
        this.#codecs.get(id)?.close();
        this.#codecs.delete(id);
      },
    };
    // Fire-and-forget calls need no answer: the isolate does not wait for the host thread.
    const ignored = new Set<keyof HostApi>(['timerStart', 'timerClear', 'log', 'codecClose']);
    const global = this.context.global;
    for (const [name, fn] of Object.entries(api)) {
      const callback = ignored.has(name as keyof HostApi)
        ? new ivm.Callback(fn as (...args: unknown[]) => unknown, { ignored: true })
        : new ivm.Callback(fn as (...args: unknown[]) => unknown, { sync: true });
      global.setSync(`__nanoHost_${name}`, callback);
    }
    // Compile with the code cache (made by the first isolate), then boot.
    const script = await this.isolate.compileScript(code, {
      filename,
      ...(cachedData ? { cachedData } : { produceCachedData: true }),
    });
    const produced = (script as unknown as { cachedData?: ivm.ExternalCopy<ArrayBuffer> }).cachedData;
    if (!cachedData && produced) cachedData = produced;
    const bootFn = (await script.run(this.context, { reference: true })) as ivm.Reference<(info: BootInfo) => void>;
    const info: BootInfo = { timeOrigin, userAgent: options.userAgent ?? USER_AGENT };
    await bootFn.apply(undefined, [info], { arguments: { copy: true } });
    bootFn.release();
    this.#fireTimer = (await global.get('__nanoFireTimer', { reference: true })) as ivm.Reference<(id: number) => void>;
    await global.delete('__nanoFireTimer');
    this.bootMs = performance.now() - start;
  }

  /** How long compiling and booting the runtime took, in ms. */
  bootMs = 0;

  /** Evaluates a classic script in the isolate; resolves with its (copied) completion value. */
  async evaluate(code: string, filename: string, timeoutMs?: number): Promise<unknown> {
    return this.context.eval(code, { filename, timeout: timeoutMs, copy: true });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const codec of this.#codecs.values()) codec.close();
    this.#codecs.clear();
    this.#fireTimer?.release();
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  #timerStart(id: number, ms: number): void {
    if (this.#disposed) return;
    this.#timerClear(id);
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      if (this.#disposed) return;
      // Into the isolate on its own thread; a task that throws was reported inside already.
      this.#fireTimer?.apply(undefined, [id]).catch(() => {});
    }, ms);
    this.#timers.set(id, timer);
  }

  #timerClear(id: number): void {
    const timer = this.#timers.get(id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(id);
  }

  #codecCreate(format: string, mode: string): number {
    const codec = nodeCompressionCodec.create(format as CompressionFormat, mode as CodecMode);
    if (codec === undefined) return -1;
    const id = this.#nextCodec++;
    this.#codecs.set(id, codec);
    return id;
  }

  #codecCall(id: number, call: (codec: CodecInstance) => CodecResult, last = false): HostCodecResult {
    const codec = this.#codecs.get(id);
    if (codec === undefined) return { chunks: [], error: undefined, fail: 'The compression context is closed.' };
    try {
      return call(codec);
    } catch (error) {
      this.#codecs.delete(id);
      return { chunks: [], error: undefined, fail: (error as Error).message };
    } finally {
      if (last) this.#codecs.delete(id);
    }
  }
}
