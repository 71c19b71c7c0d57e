// The implementations under test. Loading happens only inside a child (dynamic imports), so the
// runner can list them without paying for any of them.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { libraryHost, Unavailable } from './host.js';
import { openIsolateHost } from './isolate.js';
import type { BundlePaths, ScenarioHost, StreamsImpl } from './types.js';

export interface ImplDef {
  name: string;
  title: string;
  /** The npm package it comes from, for the version in the report. */
  pkg?: string;
  /** Extra flags for this implementation's child, on top of the runner's common ones. */
  nodeFlags: readonly string[];
  open(bundles: BundlePaths): Promise<ScenarioHost>;
}

// Other implementations' declarations differ from Node's in details (overloads, private
// members); the contract the scenarios rely on is the WHATWG API, so cast at this one place.
const asImpl = (classes: object): StreamsImpl => classes as StreamsImpl;

export const IMPLS: readonly ImplDef[] = [
  {
    name: 'node',
    title: "Node's built-in node:stream/web",
    nodeFlags: [],
    async open() {
      const web = await import('node:stream/web');
      return libraryHost(
        asImpl({
          ReadableStream: web.ReadableStream,
          WritableStream: web.WritableStream,
          TransformStream: web.TransformStream,
          TextEncoderStream: web.TextEncoderStream,
          TextDecoderStream: web.TextDecoderStream,
          // undici's Response, which takes Node's own ReadableStream as a body.
          Response: globalThis.Response,
        }),
      );
    },
  },
  {
    name: 'nano',
    title: 'NANO as a library (esbuild bundle of src/streams and the text streams and Response)',
    nodeFlags: [],
    async open(bundles) {
      if (!existsSync(bundles.nanoModule)) throw new Unavailable('src/streams/index.ts not built');
      return libraryHost(asImpl(await import(pathToFileURL(bundles.nanoModule).href)));
    },
  },
  {
    name: 'nano-isolate',
    title: 'NANO inside an isolated-vm isolate (streams, text streams, Response; its child adds --no-node-snapshot)',
    pkg: 'isolated-vm',
    // isolated-vm needs it on Node 20 (its isolates cannot start from Node's startup snapshot).
    nodeFlags: ['--no-node-snapshot'],
    open: (bundles) => openIsolateHost(bundles),
  },
  {
    name: 'polyfill',
    title: 'web-streams-polyfill (ponyfill build)',
    pkg: 'web-streams-polyfill',
    nodeFlags: [],
    async open() {
      return libraryHost(asImpl(await import('web-streams-polyfill')));
    },
  },
  {
    name: 'fast',
    title: 'experimental-fast-webstreams (Fast* classes, globals untouched)',
    pkg: 'experimental-fast-webstreams',
    nodeFlags: [],
    async open() {
      const fast = await import('experimental-fast-webstreams');
      // It exports classes (and an opt-in global patch we do not use); it has no codecs or
      // Response of its own, so those scenarios are n/a.
      return libraryHost(
        asImpl({
          ReadableStream: fast.FastReadableStream,
          WritableStream: fast.FastWritableStream,
          TransformStream: fast.FastTransformStream,
        }),
      );
    },
  },
];

export function findImpl(name: string): ImplDef {
  const impl = IMPLS.find((i) => i.name === name);
  if (!impl) throw new Error(`unknown implementation ${name} (known: ${IMPLS.map((i) => i.name).join(', ')})`);
  return impl;
}
