import { describe, expect, it } from 'vitest';
import { bitLength, modPow } from './_bigint.js';
import { generateRsaKey, isProbablePrime } from './_rsa-generate.js';
import { jsBackend } from './js-backend.js';

const rnd = jsBackend.randomBytes;

describe('RSA key generation (pure JS)', () => {
  it('Miller–Rabin tells primes from composites, including Carmichael numbers', () => {
    const primes = [2n, 3n, 1999n, 2003n, 2n ** 61n - 1n, 2n ** 127n - 1n, 2n ** 521n - 1n];
    const composites = [1n, 0n, 561n, 41041n, 825265n, 321197185n, 2003n * 2011n, (2n ** 61n - 1n) * (2n ** 31n - 1n)];
    for (const p of primes) expect(isProbablePrime(p, 10, rnd), String(p)).toBe(true);
    for (const c of composites) expect(isProbablePrime(c, 10, rnd), String(c)).toBe(false);
  });

  it('makes keys of exactly the requested size whose exponents invert each other', () => {
    for (const bits of [512, 1024]) {
      const key = generateRsaKey(bits, rnd);
      expect(bitLength(key.n)).toBe(bits);
      expect(key.size).toBe(bits / 8);
      expect(key.e).toBe(65537n);
      const m = 123456789n;
      expect(modPow(modPow(m, key.e, key.n), key.d, key.n)).toBe(m);
    }
  });

  it('refuses unsupported sizes with RangeError (a caller bug)', () => {
    for (const bits of [256, 1023, 16384, 1.5]) expect(() => generateRsaKey(bits, rnd)).toThrow(RangeError);
  });
});
