// WebAssembly.compileStreaming and instantiateStreaming
// (https://webassembly.github.io/spec/web-api/#streaming-modules) over the runtime's compile and
// instantiate (wasm-memory-budget.ts), so a module fetched as a Response stays within the app's
// memory budget like any other: the body is read whole through the fetch internals (patched
// globals cannot see it), then compiled from those bytes.
import { isResponse, responseBody, responseHeaderList, responseStatus, responseType } from '../web/fetch/response.js';
import { consumeBytes } from '../web/fetch/body.js';
import { listGet } from '../web/fetch/headers.js';
import { PromiseCtor, promiseThen as PromiseThen, reflectApply as ReflectApply, TypeErrorCtor } from '../streams/webidl/intrinsics.js';

const PromiseResolve = Promise.resolve.bind(Promise) as (value: unknown) => Promise<unknown>;

interface WasmStreamingNamespace {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(source: object, imports?: unknown): Promise<unknown>;
}

/** Installs both on the realm's WebAssembly, using its compile and instantiate as they are now. */
export function installWasmStreaming(): void {
  const W = (globalThis as unknown as { WebAssembly: WasmStreamingNamespace }).WebAssembly;
  const compile = W.compile;
  const instantiate = W.instantiate;

  /** https://webassembly.github.io/spec/web-api/#compile-a-potential-webassembly-response */
  const compilePotentialResponse = (source: unknown, context: string): Promise<object> =>
    new PromiseCtor((resolve, reject) => {
      const fail = (message: string): void => reject(new TypeErrorCtor(`${context}: ${message}`));
      // The argument is a Promise<Response> (WebIDL resolves whatever it is given).
      const fulfilled = (value: unknown): void => {
        if (!isResponse(value)) return fail('the argument is not a Response (or a promise of one).');
        // Steps 2-5. The Content-Type, trimmed of tabs and spaces, must be application/wasm itself (no parameters).
        const contentType = listGet(responseHeaderList(value), 'content-type');
        if (contentType === null) return fail('the response has no Content-Type; it must be application/wasm.');
        const mimeType = contentType.replace(/^[\t ]+|[\t ]+$/g, '');
        if (mimeType.toLowerCase() !== 'application/wasm') return fail(`the response's Content-Type is '${mimeType}'; it must be application/wasm.`);
        // Step 6. CORS-same-origin: neither opaque nor an opaque redirect.
        const type = responseType(value);
        if (type === 'opaque' || type === 'opaqueredirect') return fail('the response is opaque.');
        // Step 7. An ok status.
        const status = responseStatus(value);
        if (status < 200 || status > 299) return fail(`the response's status is ${status}, not an ok status.`);
        // Steps 8-10. The body as bytes (a used or locked body is a TypeError), then compiled
        // (compile copies them: the "stable bytes").
        consumeBytes(
          responseBody(value),
          (bytes) => ReflectApply(PromiseThen, ReflectApply(compile, W, [bytes]), [resolve, reject]),
          reject,
        );
      };
      ReflectApply(PromiseThen, PromiseResolve(source), [fulfilled, reject]);
    });

  const compileStreaming = function compileStreaming(source: unknown): Promise<object> {
    return compilePotentialResponse(source, "Failed to execute 'compileStreaming' on 'WebAssembly'");
  };
  /** https://webassembly.github.io/spec/web-api/#dom-webassembly-instantiatestreaming: { module, instance }. */
  const instantiateStreaming = function instantiateStreaming(source: unknown, importObject?: unknown): Promise<unknown> {
    const context = "Failed to execute 'instantiateStreaming' on 'WebAssembly'";
    return ReflectApply(PromiseThen, compilePotentialResponse(source, context), [
      (module: object) =>
        ReflectApply(PromiseThen, ReflectApply(instantiate, W, [module, importObject]), [(instance: unknown) => ({ module, instance })]),
    ]) as Promise<unknown>;
  };
  Object.defineProperty(instantiateStreaming, 'length', { value: 1 });
  for (const [name, value] of [
    ['compileStreaming', compileStreaming],
    ['instantiateStreaming', instantiateStreaming],
  ] as const) {
    Object.defineProperty(W, name, { value, writable: true, enumerable: false, configurable: true });
  }
}
