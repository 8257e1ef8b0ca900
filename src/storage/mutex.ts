/**
 * A promise-queue mutex: callers run one at a time, in arrival order, whether earlier ones
 * resolve or reject.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The queue advances whether fn resolves or rejects.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
