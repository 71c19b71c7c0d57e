/** Shapes shared by discovery, hosts, expectations and reporters (wptreport vocabulary). */

export type FileStatus = 'OK' | 'ERROR' | 'TIMEOUT' | 'CRASH' | 'PRECONDITION_FAILED';
export type SubtestStatus = 'PASS' | 'FAIL' | 'TIMEOUT' | 'NOTRUN' | 'PRECONDITION_FAILED';

/** One test file to run, as discovery resolved it. */
export interface TestFile {
  /** wpt.fyi id: `/streams/piping/abort.any.js`, plus `?variant` for `// META: variant=` files. */
  id: string;
  /** Absolute path of the .any.js (or .html) file. */
  path: string;
  /** Absolute paths of `// META: script=` includes (an .html file's `<script src>`s), in order. */
  scripts: string[];
  /**
   * An .html file's inline script, run after `scripts` in place of the file itself (the files
   * taken keep their inline script last; see discover.ts).
   */
  inline?: string;
  /** Which WPT global the file runs as (see realm/contract.ts). */
  scope: 'window' | 'worker';
  /** `// META: timeout=long`. */
  long: boolean;
  /** `?1-10` etc., when the file has `// META: variant=` lines. */
  variant?: string;
}

export interface SubtestResult {
  name: string;
  status: SubtestStatus;
  message: string | null;
}

export interface FileResult {
  test: string;
  status: FileStatus;
  message: string | null;
  subtests: SubtestResult[];
  /** Wall time in milliseconds. */
  duration: number;
}

/**
 * Where a file runs. Library mode (hosts/library.ts) evaluates it in a fresh node:vm context;
 * an isolate host will run it in a fresh isolated-vm isolate. A host runs one file at a time;
 * the pool runs several hosts side by side.
 */
export interface Host {
  runFile(file: TestFile, options: RunFileOptions): Promise<FileResult>;
  close(): Promise<void>;
}

export interface RunFileOptions {
  /** Per-file time limit in ms (doubled for `timeout=long` files). */
  timeoutMs: number;
  /** Forward the realm's console output to stderr. */
  verbose: boolean;
}
