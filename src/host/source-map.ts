// Source maps (version 3, https://tc39.es/source-map/) of app bundles: the positions in an app's
// stack traces are the bundle's (one script of the app module and all it imports), which name no
// file the author wrote; the host rewrites them in the app's log lines to the original file, line
// and column. The app's own `error.stack` keeps the bundle's positions, as in Workers.
import { dirname, resolve } from 'node:path';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) BASE64_VALUE[BASE64.charCodeAt(i)] = i;

/** One mapped position of a generated line: generated column, source index, source line, source column (all 0-based). */
type Segment = [column: number, source: number, line: number, sourceColumn: number];

export interface OriginalPosition {
  source: string;
  /** 1-based, as stack traces print them. */
  line: number;
  column: number;
}

export class SourceMap {
  readonly #sources: string[];
  readonly #mappings: string;
  /** Lines of the generated code before the first line the map describes (a wrapper's). */
  readonly #lineOffset: number;
  /** Per generated line, its segments by column; decoded on the first lookup. */
  #lines: Segment[][] | undefined;

  /**
   * `json`: the map; `file`: where the bundle would have been written (the map's sources are
   * relative to its directory); `lineOffset`: lines put before the mapped code.
   */
  constructor(json: string, file: string, lineOffset = 0) {
    const map = JSON.parse(json) as { version?: unknown; sources?: unknown; sourceRoot?: unknown; mappings?: unknown };
    if (map.version !== 3 || !Array.isArray(map.sources) || typeof map.mappings !== 'string') throw new Error('not a version 3 source map');
    const root = resolve(dirname(file), typeof map.sourceRoot === 'string' ? map.sourceRoot : '');
    this.#sources = map.sources.map((source) => (typeof source === 'string' ? resolve(root, source) : ''));
    this.#mappings = map.mappings;
    this.#lineOffset = lineOffset;
  }

  /** The original position of a generated one (1-based line and column, as in stack traces). */
  original(line: number, column: number): OriginalPosition | undefined {
    const lines = (this.#lines ??= decodeMappings(this.#mappings));
    const segments = lines[line - 1 - this.#lineOffset];
    if (segments === undefined || segments.length === 0) return undefined;
    // The last segment at or before the column.
    const col = column - 1;
    let low = 0;
    let high = segments.length - 1;
    if (segments[0]![0] > col) return undefined;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (segments[mid]![0] <= col) low = mid;
      else high = mid - 1;
    }
    const [, source, sourceLine, sourceColumn] = segments[low]!;
    const name = this.#sources[source];
    if (name === undefined || name === '') return undefined;
    return { source: name, line: sourceLine + 1, column: sourceColumn + 1 };
  }
}

/** The "mappings" field: lines separated by ';', segments by ',', each a run of Base64 VLQs. */
function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let segments: Segment[] = [];
  // Source index, line and column are relative to the previous segment's, across lines; the
  // generated column to the previous segment's on the same line.
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  let column = 0;
  const fields: number[] = [];
  let i = 0;
  while (i <= mappings.length) {
    const c = i < mappings.length ? mappings.charCodeAt(i) : 0x3b; // a final ';'
    if (c === 0x3b /* ; */ || c === 0x2c /* , */) {
      if (fields.length >= 4) {
        column += fields[0]!;
        source += fields[1]!;
        sourceLine += fields[2]!;
        sourceColumn += fields[3]!;
        segments.push([column, source, sourceLine, sourceColumn]);
      } else if (fields.length === 1) {
        column += fields[0]!; // a generated position mapped to nothing
      }
      fields.length = 0;
      if (c === 0x3b) {
        lines.push(segments);
        segments = [];
        column = 0;
      }
      i++;
      continue;
    }
    // One VLQ: 5 bits per character, least significant first; bit 5 says more follow; the
    // lowest bit of the value is its sign.
    let value = 0;
    let shift = 0;
    for (;;) {
      const digit = i < mappings.length ? BASE64_VALUE[mappings.charCodeAt(i) & 0x7f]! : -1;
      if (digit < 0) throw new Error(`a malformed source map (at ${i})`);
      i++;
      value += (digit & 31) * 2 ** shift;
      shift += 5;
      if ((digit & 32) === 0) break;
    }
    fields.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
  }
  return lines;
}

/**
 * Rewrites the positions in `text` (stack frames, "file:line:column") that are in the bundle named
 * `filename` to their original files; positions the map does not know are left as they are.
 */
export function mapStackPositions(text: string, filename: string, map: SourceMap): string {
  if (!text.includes(filename)) return text;
  let out = '';
  let from = 0;
  for (;;) {
    const at = text.indexOf(filename, from);
    if (at === -1) break;
    const match = /^:(\d+):(\d+)/.exec(text.slice(at + filename.length, at + filename.length + 24));
    if (match === null) {
      out += text.slice(from, at + filename.length);
      from = at + filename.length;
      continue;
    }
    const position = map.original(Number(match[1]), Number(match[2]));
    out += text.slice(from, at);
    out += position === undefined ? text.slice(at, at + filename.length + match[0].length) : `${position.source}:${position.line}:${position.column}`;
    from = at + filename.length + match[0].length;
  }
  return out + text.slice(from);
}
