import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of a session key: 32 random bytes, written as 64 hex digits (station spec §2.2 step 3). */
export const SESSION_KEY_BYTES = 32;

/** A fresh session key from the CSPRNG: 64 lower-case hex digits. */
export function createSessionKey(): string {
  return randomBytes(SESSION_KEY_BYTES).toString('hex');
}

/**
 * Whether `given` (the `session` field of a handshake, any JSON value) is `expected`. The comparison takes
 * the same time wherever the first difference is, so answers do not leak the key digit by digit. Never throws.
 */
export function sessionKeyMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  // Compare equal lengths only (timingSafeEqual throws otherwise); a length mismatch reveals only the length,
  // which is public (always 64).
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
