// Forcing collections in unit tests that check what the garbage collector may free.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Runs full collections, letting finalizers and weak callbacks run between them. */
export async function collectGarbage(rounds = 5): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let round = 0; round < rounds; round++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
