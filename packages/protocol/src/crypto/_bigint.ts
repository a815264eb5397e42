import { decodeHex, encodeHex } from '../encoding/hex.js';

/** Big-endian unsigned bytes → bigint (empty → 0n). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt('0x' + encodeHex(bytes));
}

/** bigint → big-endian bytes, left-padded to `length`; RangeError if it does not fit. */
export function bigintToBytes(n: bigint, length: number): Uint8Array {
  const hex = n.toString(16);
  if (n < 0n || hex.length > length * 2) throw new RangeError(`bigintToBytes: value does not fit in ${length} bytes`);
  return decodeHex(hex.padStart(length * 2, '0'));
}

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * base^exp mod m with a fixed 4-bit window (fewer multiplications than square-and-multiply).
 * Not constant time: private-key callers blind their input (see js-backend.ts).
 */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  let b = base % m;
  if (b < 0n) b += m;
  const table: bigint[] = [1n, b];
  for (let i = 2; i < 16; i++) table.push((table[i - 1]! * b) % m);
  let r = 1n;
  for (const ch of exp.toString(16)) {
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * r) % m;
    r = (r * r) % m;
    const digit = parseInt(ch, 16);
    if (digit !== 0) r = (r * table[digit]!) % m;
  }
  return r;
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** a^-1 mod m, or undefined when gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return undefined;
  return ((oldS % m) + m) % m;
}
