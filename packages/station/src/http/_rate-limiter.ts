/**
 * Token buckets by key (a remote IP): each key may spend `perMinute` tokens at once and regains them at
 * `perMinute` a minute. At most `maxKeys` buckets are kept; past it the longest-idle ones are dropped (a
 * dropped key starts again with a full bucket, which only ever errs on the side of letting a request in).
 */
export class RateLimiter {
  readonly #perMinute: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** key → [tokens, last refill in ms]; a Map keeps insertion order, refreshed on use, so the first is the oldest. */
  readonly #buckets = new Map<string, [number, number]>();

  constructor(perMinute: number, options: { maxKeys?: number; now?: () => number } = {}) {
    if (!Number.isInteger(perMinute) || perMinute < 0) {
      throw new RangeError(`RateLimiter: perMinute must be an integer >= 0, got ${perMinute}`);
    }
    this.#perMinute = perMinute;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Takes one token for `key`: 0 when allowed, else the milliseconds until one is available. `perMinute` 0 = no limit. */
  take(key: string): number {
    if (this.#perMinute === 0) return 0;
    const now = this.#now();
    const rate = this.#perMinute / 60_000;
    const bucket = this.#buckets.get(key);
    let tokens = this.#perMinute;
    if (bucket !== undefined) {
      tokens = Math.min(this.#perMinute, bucket[0] + (now - bucket[1]) * rate);
      this.#buckets.delete(key);
    } else if (this.#buckets.size >= this.#maxKeys) {
      this.#buckets.delete(this.#buckets.keys().next().value!);
    }
    if (tokens < 1) {
      this.#buckets.set(key, [tokens, now]);
      return Math.ceil((1 - tokens) / rate);
    }
    this.#buckets.set(key, [tokens - 1, now]);
    return 0;
  }
}
