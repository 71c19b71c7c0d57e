// The least a default ReadableStream must do per chunk in the read-loop scenario when it keeps the
// standard's order: a yardstick for `npm run bench:instructions -- --filter read-loop --with floor`,
// not an implementation (no brand checks, strategies, errors, cancel, locking or byte streams).
//
// What the order costs per chunk there: read() finds the queue empty (the first read came before
// start() settled, and from then on the pull that answers a read runs a job after the previous
// chunk was delivered), so it returns a pending promise whose resolving functions the read
// request keeps; the chunk is delivered as a fresh { value, done } result; and the pull's promise
// gets a reaction, a job that lets the next pull start. experimental-fast-webstreams calls pull()
// synchronously inside read() and skips the reaction, which the standard does not allow.

interface Source {
  pull(controller: FloorController): void;
}

interface ReadResult {
  value: unknown;
  done: boolean;
}

interface ReadRequest {
  resolve: (result: ReadResult) => void;
}

const resolved = Promise.resolve();

class FloorController {
  readonly queue: unknown[] = [];
  readonly readRequests: ReadRequest[] = [];
  started = false;
  pulling = false;
  pullAgain = false;
  closeRequested = false;
  closed = false;
  readonly afterPull = (): void => {
    this.pulling = false;
    if (this.pullAgain === true) {
      this.pullAgain = false;
      this.callPullIfNeeded();
    }
  };

  constructor(private readonly source: Source) {
    // start() returned nothing: a promise resolved with undefined, reacted to.
    void resolved.then(() => {
      this.started = true;
      this.callPullIfNeeded();
    });
  }

  callPullIfNeeded(): void {
    if (this.started === false || this.closeRequested === true) return;
    if (this.readRequests.length === 0 && this.queue.length >= 1) return; // highWaterMark 1
    if (this.pulling === true) {
      this.pullAgain = true;
      return;
    }
    this.pulling = true;
    this.source.pull(this);
    // pull() returned nothing: its promise is already fulfilled, the reaction is one job.
    void resolved.then(this.afterPull);
  }

  enqueue(chunk: unknown): void {
    const request = this.readRequests.shift();
    if (request !== undefined) request.resolve({ value: chunk, done: false });
    else this.queue.push(chunk);
    this.callPullIfNeeded();
  }

  close(): void {
    this.closeRequested = true;
    if (this.queue.length > 0) return;
    this.closed = true;
    for (const request of this.readRequests.splice(0)) request.resolve({ value: undefined, done: true });
  }

  read(): Promise<ReadResult> {
    if (this.queue.length > 0) {
      const value = this.queue.shift();
      if (this.closeRequested === true && this.queue.length === 0) this.closed = true;
      else this.callPullIfNeeded();
      return Promise.resolve({ value, done: false });
    }
    if (this.closed === true) return Promise.resolve({ value: undefined, done: true });
    const request: ReadRequest = { resolve: undefined as never };
    const promise = new Promise<ReadResult>((resolve) => {
      request.resolve = resolve;
    });
    this.readRequests.push(request);
    this.callPullIfNeeded();
    return promise;
  }
}

export class ReadableStream {
  readonly #controller: FloorController;
  constructor(source: Source) {
    this.#controller = new FloorController(source);
  }
  getReader(): { read(): Promise<ReadResult> } {
    const controller = this.#controller;
    return { read: () => controller.read() };
  }
}
