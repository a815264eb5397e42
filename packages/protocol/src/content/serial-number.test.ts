import { describe, expect, it } from 'vitest';
import { isSerialNumber, MAX_SERIAL_NUMBER, nextSerialNumber, serialNumberGenerator } from './serial-number.js';

describe('serial numbers (wire spec §4.2)', () => {
  it('counts up by one from the seed', () => {
    const next = serialNumberGenerator(41);
    expect([next(), next(), next()]).toEqual([42, 43, 44]);
  });

  it('wraps from 2^31−1 to 1, never giving 0', () => {
    const next = serialNumberGenerator(MAX_SERIAL_NUMBER - 1);
    expect([next(), next(), next()]).toEqual([MAX_SERIAL_NUMBER, 1, 2]);
    expect(serialNumberGenerator(0)()).toBe(1);
  });

  it('rejects a seed outside 0 … 2^31−1', () => {
    for (const seed of [-1, 2 ** 31, 1.5, NaN]) expect(() => serialNumberGenerator(seed)).toThrow(RangeError);
  });

  it('gives this process consecutive valid numbers from a random start', () => {
    const a = nextSerialNumber();
    const b = nextSerialNumber();
    expect(isSerialNumber(a)).toBe(true);
    expect(b === a + 1 || (a === MAX_SERIAL_NUMBER && b === 1)).toBe(true);
  });

  it('knows a valid sn', () => {
    expect([1, MAX_SERIAL_NUMBER].every(isSerialNumber)).toBe(true);
    expect([0, -1, MAX_SERIAL_NUMBER + 1, 1.5, '1', null].some(isSerialNumber)).toBe(false);
  });
});
