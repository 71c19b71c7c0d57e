import type { FileResult, Host, RunFileOptions, TestFile } from './types.js';

/**
 * Runs `files` across `hosts`, each host taking the next file when it is free. Results come
 * back in the order of `files`, whatever order they finish in, so reports are deterministic.
 */
export async function runPool(
  files: readonly TestFile[],
  hosts: readonly Host[],
  options: RunFileOptions,
  onResult: (result: FileResult) => void,
): Promise<FileResult[]> {
  const results: FileResult[] = new Array(files.length);
  let next = 0;
  await Promise.all(
    hosts.map(async (host) => {
      while (next < files.length) {
        const index = next++;
        const result = await host.runFile(files[index]!, options);
        results[index] = result;
        onResult(result);
      }
    }),
  );
  return results;
}
