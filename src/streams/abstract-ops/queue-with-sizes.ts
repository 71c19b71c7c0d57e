// https://streams.spec.whatwg.org/#queue-with-sizes
// Values and sizes live side by side in one O(1) ring (no per-chunk record allocation).
import { RangeErrorCtor } from '../webidl/intrinsics.js';
import { SimpleQueue } from './simple-queue.js';

export interface QueueContainer {
  queue: SimpleQueue<unknown>; // value, size, value, size...
  queueTotalSize: number;
}

/** https://streams.spec.whatwg.org/#dequeue-value */
export function DequeueValue(container: QueueContainer): unknown {
  // Assert: container.[[queue]] is not empty.
  const value = container.queue.shift();
  const size = container.queue.shift() as number;
  container.queueTotalSize -= size;
  // Rounding errors could make the total slightly negative.
  if (container.queueTotalSize < 0) container.queueTotalSize = 0;
  return value;
}

/** https://streams.spec.whatwg.org/#enqueue-value-with-size */
export function EnqueueValueWithSize(container: QueueContainer, value: unknown, size: number): void {
  // Step 2. If ! IsNonNegativeNumber(size) is false, throw a RangeError.
  if (!IsNonNegativeNumber(size)) throw new RangeErrorCtor('The size of a chunk must be a non-negative number.');
  // Step 3. If size is +∞, throw a RangeError.
  if (size === Infinity) throw new RangeErrorCtor('The size of a chunk must be finite.');
  EnqueueValueWithKnownSize(container, value, size);
}

/**
 * EnqueueValueWithSize's steps 4-5, for a size the caller knows passes steps 2-3 (a size of 1,
 * which the default size algorithm always gives): what is left when those checks cannot throw.
 */
export function EnqueueValueWithKnownSize(container: QueueContainer, value: unknown, size: number): void {
  container.queue.push(value);
  container.queue.push(size);
  container.queueTotalSize += size;
}

/** https://streams.spec.whatwg.org/#peek-queue-value */
export function PeekQueueValue(container: QueueContainer): unknown {
  return container.queue.peek();
}

/** https://streams.spec.whatwg.org/#reset-queue */
export function ResetQueue(container: QueueContainer): void {
  container.queue.clear();
  container.queueTotalSize = 0;
}

export function queueIsEmpty(container: QueueContainer): boolean {
  return container.queue.length === 0;
}

/** https://streams.spec.whatwg.org/#is-non-negative-number */
export function IsNonNegativeNumber(v: unknown): boolean {
  if (typeof v !== 'number') return false;
  if (v !== v) return false; // NaN
  return v >= 0;
}
