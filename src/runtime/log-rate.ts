// An app's console output rate: a token bucket of bytes per second. Every console line crosses
// into the host and becomes a JSON log line, so without a bound one app logging in a loop fills
// the log (and, while the log output is slow, the host's memory) for every app. The isolate's
// console keeps one (lines over it never cross) and the host another behind it.
// No runtime imports: the host and the isolate bundle both use this file.
const MathMin = Math.min;

export class LogRate {
  readonly #bytesPerMs: number;
  readonly #capacity: number;
  #tokens: number;
  #last: number;
  /** Lines and bytes dropped since the last report (see takeDropped). */
  #droppedLines = 0;
  #droppedBytes = 0;

  /** `bytesPerSecond` sustained, bursts up to `burstSeconds` of it. */
  constructor(bytesPerSecond: number, burstSeconds = 4, now = performance.now()) {
    this.#bytesPerMs = bytesPerSecond / 1000;
    this.#capacity = bytesPerSecond * burstSeconds;
    this.#tokens = this.#capacity;
    this.#last = now;
  }

  /** Whether a line of `bytes` may be logged now; if not, it is counted as dropped. */
  take(bytes: number, now = performance.now()): boolean {
    this.#tokens = MathMin(this.#capacity, this.#tokens + (now - this.#last) * this.#bytesPerMs);
    this.#last = now;
    if (bytes <= this.#tokens) {
      this.#tokens -= bytes;
      return true;
    }
    this.#droppedLines++;
    this.#droppedBytes += bytes;
    return false;
  }

  /** What was dropped since the last call (undefined: nothing), to report once logging resumes. */
  takeDropped(): { lines: number; bytes: number } | undefined {
    if (this.#droppedLines === 0) return undefined;
    const dropped = { lines: this.#droppedLines, bytes: this.#droppedBytes };
    this.#droppedLines = 0;
    this.#droppedBytes = 0;
    return dropped;
  }
}
