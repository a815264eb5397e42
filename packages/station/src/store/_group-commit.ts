/**
 * Group commit: write operations queued in the same event-loop turn run together in one transaction, so one
 * durable sync (fsync with synchronous=FULL) covers all of them. Each promise settles only after its
 * transaction committed; if the transaction fails it rolls back and every operation in it rejects with the
 * same error (no partial batch).
 *
 * Operations run in the order they were queued. An operation must only touch the database: anything that can
 * fail because of the caller's input (validation, JSON encoding, copying) happens before it is queued, so one
 * caller's bug cannot fail a batch of others.
 */
export class GroupCommit {
  readonly #transact: (work: () => void) => void;
  readonly #mapError: (error: unknown) => Error;
  readonly #maxBatch: number;
  #pending: Array<Pending<unknown>> = [];
  #timer: ReturnType<typeof setImmediate> | undefined;

  /**
   * @param transact runs `work` inside one transaction and commits it (throws if it could not)
   * @param mapError turns a failure into the error every operation of the batch rejects with
   * @param maxBatch most operations per transaction; a longer queue is written in several turns
   */
  constructor(transact: (work: () => void) => void, mapError: (error: unknown) => Error, maxBatch: number) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch: expected >= 1, got ${maxBatch}`);
    this.#transact = transact;
    this.#mapError = mapError;
    this.#maxBatch = maxBatch;
  }

  /** Queues `operation` for the next batch; resolves with its result after the batch committed. */
  enqueue<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ operation, resolve, reject } as Pending<unknown>);
      this.#timer ??= setImmediate(() => this.#flushOne());
    });
  }

  /** Writes everything queued now, synchronously (used by close). */
  flushAll(): void {
    if (this.#timer !== undefined) clearImmediate(this.#timer);
    this.#timer = undefined;
    while (this.#pending.length > 0) this.#commit();
  }

  #flushOne(): void {
    this.#timer = undefined;
    this.#commit();
    // Yield between large batches so other I/O is not starved.
    if (this.#pending.length > 0) this.#timer = setImmediate(() => this.#flushOne());
  }

  #commit(): void {
    const batch = this.#pending.length <= this.#maxBatch ? this.#pending : this.#pending.slice(0, this.#maxBatch);
    this.#pending = batch === this.#pending ? [] : this.#pending.slice(this.#maxBatch);
    const results = new Array<unknown>(batch.length);
    try {
      this.#transact(() => {
        for (let i = 0; i < batch.length; i++) results[i] = batch[i]!.operation();
      });
    } catch (cause) {
      const error = this.#mapError(cause);
      for (const p of batch) p.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]);
  }
}

interface Pending<T> {
  operation: () => T;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}
