/** The largest serial number: `sn` is an unsigned 31-bit integer, never 0 (wire spec §1, §4.2). */
export const MAX_SERIAL_NUMBER = 0x7fffffff;

/** True for a valid `sn`: an integer 1 … 2³¹−1 (command parsers drop `sn` = 0, §4.2). */
export function isSerialNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_SERIAL_NUMBER;
}

/**
 * A serial number counter (wire spec §4.2): starts after `seed`, adds one per call, and wraps
 * from 2³¹−1 to 1, so it never yields 0. `seed` is 0 … 2³¹−1.
 */
export function serialNumberGenerator(seed: number): () => number {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SERIAL_NUMBER) {
    throw new RangeError(`serial number seed: expected an integer 0 … 2^31−1, got ${seed}`);
  }
  let last = seed;
  return () => {
    last = last >= MAX_SERIAL_NUMBER ? 1 : last + 1;
    return last;
  };
}

let shared: (() => number) | undefined;

/**
 * The next serial number of this process (1 … 2³¹−1), from a counter seeded with a random value
 * from `crypto.getRandomValues` on first use (as the reference does; importing has no effect).
 */
export function nextSerialNumber(): number {
  if (shared === undefined) {
    const seed = crypto.getRandomValues(new Uint32Array(1))[0]! % MAX_SERIAL_NUMBER;
    shared = serialNumberGenerator(seed);
  }
  return shared();
}
