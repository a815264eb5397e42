import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const noJitter = { jitter: 0 };

  it('doubles from the initial delay up to the ceiling', () => {
    expect([0, 1, 2, 3, 6, 7, 30].map((n) => backoffDelay(n, noJitter))).toEqual([
      1000, 2000, 4000, 8000, 60_000, 60_000, 60_000,
    ]);
  });

  it('takes up to `jitter` of the delay away at random', () => {
    expect(backoffDelay(2, { jitter: 0.5 }, () => 0)).toBe(4000);
    expect(backoffDelay(2, { jitter: 0.5 }, () => 0.999999)).toBe(2000);
    const delays = Array.from({ length: 200 }, () => backoffDelay(3, { jitter: 0.5 }));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(4000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(8000);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('stays finite for huge attempt counts', () => {
    expect(backoffDelay(10_000, noJitter)).toBe(60_000);
  });

  it('refuses a bad attempt or options (a caller bug)', () => {
    expect(() => backoffDelay(-1)).toThrow(RangeError);
    expect(() => backoffDelay(1.5)).toThrow(RangeError);
    expect(() => backoffDelay(0, { jitter: 2 })).toThrow(RangeError);
    expect(() => backoffDelay(0, { initialDelayMs: 10, maxDelayMs: 5 })).toThrow(RangeError);
    expect(() => backoffDelay(0, { factor: 0.5 })).toThrow(RangeError);
  });
});
