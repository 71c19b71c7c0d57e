// Blob and File: https://w3c.github.io/FileAPI/#blob-section
// A blob's bytes are a list of immutable chunks; slice() shares them (no copy), stream() hands
// them out one piece at a time (copied: a consumer may transfer or write into what it reads).
import { defineInterface } from '../streams/webidl/interface.js';
import { dictionaryObject, domString } from '../streams/webidl/converters.js';
import { SymbolIterator, TypeErrorCtor, Uint8ArrayCtor } from '../streams/webidl/intrinsics.js';
import { ReadableStream } from '../streams/readable-stream/readable-stream.js';
import { bufferSourceBytes } from './buffer-source.js';
import { utf8Encode } from './encoding/text-encoder.js';
import { utf8Decode } from './encoding/utf8-decoder.js';

/** The largest piece stream() enqueues. */
const STREAM_CHUNK = 64 * 1024;

interface BlobState {
  chunks: Uint8Array[];
  size: number;
  type: string;
}

let stateOf: (x: unknown) => BlobState | undefined;

/** The type attribute's rule: ASCII lowercase, or "" if any code unit is outside U+0020-U+007E. */
function normalizeType(type: string): string {
  for (let i = 0; i < type.length; i++) {
    const c = type.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return '';
  }
  return type.toLowerCase();
}

type BlobPart = { blob: BlobState } | { bytes: Uint8Array } | { text: string };

/** WebIDL conversion of sequence<BlobPart>: each element converted as it is iterated. */
function convertBlobParts(parts: unknown, context: string): BlobPart[] {
  const out: BlobPart[] = [];
  if (parts === undefined) return out;
  const method = typeof parts === 'object' && parts !== null ? (parts as { [Symbol.iterator]?: unknown })[SymbolIterator] : undefined;
  if (typeof method !== 'function') throw new TypeErrorCtor(`${context} The provided value cannot be converted to a sequence.`);
  // The iterator method is read once (WebIDL "create a sequence from an iterable").
  const iterator = Reflect.apply(method, parts, []) as Iterator<unknown>;
  for (let step = iterator.next(); !step.done; step = iterator.next()) {
    const part = step.value;
    const state = stateOf(part);
    if (state !== undefined) {
      out.push({ blob: state });
      continue;
    }
    const bytes = typeof part === 'object' && part !== null ? bufferSourceBytes(part, false) : undefined;
    // A copy now: the caller may change its buffer later.
    out.push(bytes !== undefined ? { bytes: bytes.slice() } : { text: domString(part) });
  }
  return out;
}

/** https://w3c.github.io/FileAPI/#process-blob-parts */
function processBlobParts(parts: BlobPart[], endings: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const part of parts) {
    if ('blob' in part) out.push(...part.blob.chunks);
    else if ('bytes' in part) out.push(part.bytes);
    else out.push(utf8Encode(endings === 'native' ? part.text.replace(/\r\n|\r/g, '\n') : part.text));
  }
  return out;
}

export class Blob {
  #state: BlobState;

  // WebIDL: constructor(optional sequence<BlobPart> blobParts, optional BlobPropertyBag options = {})
  constructor(blobParts: unknown = undefined, options: unknown = undefined) {
    const context = `Failed to construct '${new.target?.name === 'File' ? 'File' : 'Blob'}':`;
    // Arguments convert left to right: the parts, then the options.
    const parts = convertBlobParts(blobParts, context);
    const dict = dictionaryObject(options, `${context} The provided value`);
    // BlobPropertyBag members in IDL order: endings, type.
    const endingsValue = dict === null ? undefined : dict['endings'];
    const endings = endingsValue === undefined ? 'transparent' : domString(endingsValue);
    if (endings !== 'transparent' && endings !== 'native') {
      throw new TypeErrorCtor(`${context} The provided value '${endings}' is not a valid enum value of type EndingType.`);
    }
    const typeValue = dict === null ? undefined : dict['type'];
    const type = typeValue === undefined ? '' : normalizeType(domString(typeValue));
    const chunks = processBlobParts(parts, endings).filter((c) => c.length > 0);
    let size = 0;
    for (const c of chunks) size += c.length;
    this.#state = { chunks, size, type };
  }

  get size(): number {
    return brand(this, 'size').size;
  }

  get type(): string {
    return brand(this, 'type').type;
  }

  // WebIDL: Blob slice(optional [Clamp] long long start, optional [Clamp] long long end, optional DOMString contentType)
  slice(start: unknown = undefined, end: unknown = undefined, contentType: unknown = undefined): Blob {
    const state = brand(this, 'slice');
    const size = state.size;
    const clamp = (v: unknown, fallback: number): number => {
      if (v === undefined) return fallback;
      let n = Number(v);
      if (Number.isNaN(n)) n = 0;
      n = n < 0 ? Math.ceil(n) : Math.floor(n);
      return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
    };
    const from = clamp(start, 0);
    const to = clamp(end, size);
    const type = contentType === undefined ? '' : normalizeType(domString(contentType));
    const span = Math.max(to - from, 0);
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const chunk of state.chunks) {
      const chunkEnd = offset + chunk.length;
      if (chunkEnd > from && offset < from + span) {
        chunks.push(chunk.subarray(Math.max(from - offset, 0), Math.min(from + span - offset, chunk.length)));
      }
      offset = chunkEnd;
    }
    return createBlob(chunks, type);
  }

  stream(): ReadableStream<Uint8Array> {
    const state = brand(this, 'stream');
    let index = 0;
    let offset = 0;
    return new ReadableStream({
      type: 'bytes',
      pull(controller: ReadableByteStreamController) {
        if (index >= state.chunks.length) {
          controller.close();
          controller.byobRequest?.respond(0);
          return;
        }
        const chunk = state.chunks[index]!;
        const piece = chunk.subarray(offset, Math.min(offset + STREAM_CHUNK, chunk.length));
        offset += piece.length;
        if (offset >= chunk.length) {
          index++;
          offset = 0;
        }
        controller.enqueue(piece.slice());
      },
    } as never) as ReadableStream<Uint8Array>;
  }

  text(): Promise<string> {
    try {
      return Promise.resolve(utf8Decode(blobBytes(brand(this, 'text'))));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    try {
      return Promise.resolve(blobBytes(brand(this, 'arrayBuffer')).buffer as ArrayBuffer);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  bytes(): Promise<Uint8Array> {
    try {
      return Promise.resolve(blobBytes(brand(this, 'bytes')));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  static {
    stateOf = (x) => (typeof x === 'object' && x !== null && #state in x ? (x as Blob).#state : undefined);
  }
}

function brand(x: unknown, member: string): BlobState {
  const state = stateOf(x);
  if (state === undefined) throw new TypeErrorCtor(`Failed to execute '${member}' on 'Blob': Illegal invocation`);
  return state;
}

/** All of a blob's bytes in one new buffer. */
function blobBytes(state: BlobState): Uint8Array {
  const out = new Uint8ArrayCtor(state.size);
  let offset = 0;
  for (const c of state.chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

defineInterface(Blob, 'Blob');

let fileStateOf: (x: unknown) => { name: string; lastModified: number } | undefined;

export class File extends Blob {
  #file: { name: string; lastModified: number };

  // WebIDL: constructor(sequence<BlobPart> fileBits, USVString fileName, optional FilePropertyBag options = {})
  constructor(fileBits: unknown, fileName: unknown, options: unknown = undefined) {
    if (arguments.length < 2) {
      throw new TypeErrorCtor(`Failed to construct 'File': 2 arguments required, but only ${arguments.length} present.`);
    }
    super(fileBits, options);
    const name = domString(fileName);
    const dict = dictionaryObject(options, "Failed to construct 'File': The provided value");
    const lm = dict === null ? undefined : dict['lastModified'];
    let lastModified = lm === undefined ? Date.now() : Number(lm);
    lastModified = Number.isFinite(lastModified) ? Math.trunc(lastModified) : 0;
    this.#file = { name, lastModified };
  }

  get name(): string {
    const f = fileStateOf(this);
    if (f === undefined) throw new TypeErrorCtor("Failed to read the 'name' property from 'File': Illegal invocation");
    return f.name;
  }

  get lastModified(): number {
    const f = fileStateOf(this);
    if (f === undefined) throw new TypeErrorCtor("Failed to read the 'lastModified' property from 'File': Illegal invocation");
    return f.lastModified;
  }

  static {
    fileStateOf = (x) => (typeof x === 'object' && x !== null && #file in x ? (x as File).#file : undefined);
  }
}

defineInterface(File, 'File');

// For Body, FormData and structured clone.

export function isBlob(x: unknown): x is Blob {
  return stateOf(x) !== undefined;
}

export function isFile(x: unknown): x is File {
  return fileStateOf(x) !== undefined;
}

/** A Blob over `chunks` (not copied: they must never change). */
export function createBlob(chunks: Uint8Array[], type: string): Blob {
  const blob = new Blob();
  const state = stateOf(blob)!;
  state.chunks = chunks.filter((c) => c.length > 0);
  state.size = state.chunks.reduce((n, c) => n + c.length, 0);
  state.type = type;
  return blob;
}

export function createFile(chunks: Uint8Array[], name: string, type: string, lastModified: number): File {
  const file = new File([], name, { type, lastModified });
  const state = stateOf(file)!;
  state.chunks = chunks.filter((c) => c.length > 0);
  state.size = state.chunks.reduce((n, c) => n + c.length, 0);
  return file;
}

/** The chunks of a blob (views that must not be changed). */
export function blobChunks(blob: Blob): readonly Uint8Array[] {
  return stateOf(blob)!.chunks;
}

export function blobToBytes(blob: Blob): Uint8Array {
  return blobBytes(stateOf(blob)!);
}

export function blobType(blob: Blob): string {
  return stateOf(blob)!.type;
}

export function blobSize(blob: Blob): number {
  return stateOf(blob)!.size;
}
