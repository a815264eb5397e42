import { bytesToBigint, gcd, modInverse, modPow } from './_bigint.js';
import { RSA_MAX_BITS, RSA_MIN_BITS, rsaPrivateFromPrimes } from './_rsa-der.js';
import type { RsaPrivateKeyData } from './types.js';

const E = 65537n;

/** Odd primes below 2000, for cheap trial division before Miller–Rabin. */
const SMALL_PRIMES: readonly bigint[] = (() => {
  const out: bigint[] = [];
  for (let n = 3; n < 2000; n += 2) {
    let prime = true;
    for (let d = 3; d * d <= n; d += 2) if (n % d === 0) prime = false;
    if (prime) out.push(BigInt(n));
  }
  return out;
})();

/** A uniformly random integer in [2, max) drawn from the CSPRNG by rejection. */
function randomBelow(max: bigint, randomBytes: (n: number) => Uint8Array): bigint {
  const length = Math.ceil(max.toString(16).length / 2);
  for (;;) {
    const r = bytesToBigint(randomBytes(length)) % (1n << BigInt(max.toString(2).length));
    if (r >= 2n && r < max) return r;
  }
}

/** Miller–Rabin with `rounds` random bases (FIPS 186-5 B.3.1); false = composite. */
export function isProbablePrime(n: bigint, rounds: number, randomBytes: (n: number) => Uint8Array): boolean {
  if (n < 2n) return false;
  if (n === 2n) return true;
  for (const p of SMALL_PRIMES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  if ((n & 1n) === 0n) return false;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  witness: for (let i = 0; i < rounds; i++) {
    let x = modPow(randomBelow(n - 1n, randomBytes), d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let j = 1; j < s; j++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witness;
    }
    return false;
  }
  return true;
}

/** A random prime of exactly `bits` bits with the top two bits set (so p·q has 2·bits bits). */
function randomPrime(bits: number, randomBytes: (n: number) => Uint8Array): bigint {
  const bytes = Math.ceil(bits / 8);
  const top = 1n << BigInt(bits - 1);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    const candidate = (bytesToBigint(randomBytes(bytes)) & mask) | top | (top >> 1n) | 1n;
    if ((candidate - 1n) % E === 0n) continue; // gcd(e, p − 1) must be 1; E is prime
    // 2^-100 error for random candidates needs far fewer rounds at these sizes (FIPS 186-5 table B.1).
    if (isProbablePrime(candidate, 10, randomBytes)) return candidate;
  }
}

/** RSA key of exactly `bits` bits, e = 65537, primes from the CSPRNG. */
export function generateRsaKey(bits: number, randomBytes: (n: number) => Uint8Array): RsaPrivateKeyData {
  if (!Number.isInteger(bits) || bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || bits % 2 !== 0)
    throw new RangeError(
      `RSA key size: expected an even number of bits in ${RSA_MIN_BITS}…${RSA_MAX_BITS}, got ${bits}`,
    );
  for (;;) {
    const p = randomPrime(bits / 2, randomBytes);
    const q = randomPrime(bits / 2, randomBytes);
    if (p === q) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(E, lambda);
    // d must not be tiny (FIPS 186-5 A.1.1); practically never happens for random primes.
    if (d === undefined || d < 1n << BigInt(bits / 2)) continue;
    const [big, small] = p > q ? [p, q] : [q, p];
    return rsaPrivateFromPrimes(big, small, E, d);
  }
}
