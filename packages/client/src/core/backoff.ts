/**
 * Reconnection delays: exponential backoff with jitter, so that clients dropped together by a
 * restarting station do not all come back in the same instant.
 */
export interface BackoffOptions {
  /** Delay before the first retry, in ms (default 1000). */
  readonly initialDelayMs?: number;
  /** Ceiling of the delay, in ms (default 60 000). */
  readonly maxDelayMs?: number;
  /** Growth per failed attempt (default 2). */
  readonly factor?: number;
  /** Fraction of the delay that is random, 0 … 1 (default 0.5: a delay d becomes d·(0.5 … 1)). */
  readonly jitter?: number;
}

export const BACKOFF_DEFAULTS: Required<BackoffOptions> = {
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  factor: 2,
  jitter: 0.5,
};

/**
 * The delay before retry number `attempt` (0 for the first retry after a loss): min(max,
 * initial·factor^attempt), minus up to `jitter` of it at random. `random` returns [0, 1).
 * Throws RangeError on a negative or non-integer attempt or an option out of range.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  if (!Number.isInteger(attempt) || attempt < 0)
    throw new RangeError(`attempt: expected an integer ≥ 0, got ${attempt}`);
  const { initialDelayMs, maxDelayMs, factor, jitter } = { ...BACKOFF_DEFAULTS, ...options };
  if (!(initialDelayMs >= 0) || !(maxDelayMs >= initialDelayMs) || !(factor >= 1) || !(jitter >= 0 && jitter <= 1)) {
    throw new RangeError('backoff: expected 0 ≤ initialDelayMs ≤ maxDelayMs, factor ≥ 1, 0 ≤ jitter ≤ 1');
  }
  const base = Math.min(maxDelayMs, initialDelayMs * factor ** Math.min(attempt, 64));
  return Math.round(base * (1 - jitter * random()));
}
