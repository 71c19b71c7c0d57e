/** Messages between hosts/library.ts (parent) and hosts/library-child.ts (one per worker). */
import type { RealmBundle } from '../bundle.js';
import type { RealmImpl } from '../impls.js';
import type { FileStatus, SubtestResult, TestFile } from '../types.js';

export type ToChild =
  | { type: 'init'; prelude: RealmBundle; impl: RealmImpl; wptRoot: string; verbose: boolean }
  | { type: 'run'; file: TestFile; timeoutMs: number };

export type FromChild =
  | { type: 'ready' }
  | { type: 'subtest'; subtest: SubtestResult }
  | { type: 'done'; status: FileStatus; message: string | null; subtests: SubtestResult[] };
