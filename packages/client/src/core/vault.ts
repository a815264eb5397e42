import { DimError } from '@dimkit/protocol';
import { decodeBase64, encodeBase64, encodeUtf8 } from '@dimkit/protocol/encoding';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';

/**
 * Secrets at rest: a passphrase is stretched with scrypt into a key-encryption key, which wraps a
 * random data key; the data key seals each secret (private keys, message keys) with
 * XChaCha20-Poly1305 under a random 24-byte nonce. The additional data names what is sealed, so a
 * sealed value moved to another row or file does not open. Isomorphic: the browser store reuses it.
 */

/** scrypt parameters, stored beside what they protect (the salt is Base64). */
export interface KdfParams {
  readonly algorithm: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
}

/** N = 2^16, r = 8, p = 1: 64 MiB and a fraction of a second per unlock. */
export const DEFAULT_KDF_COST = { N: 2 ** 16, r: 8, p: 1 } as const;

const KEY_BYTES = 32;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;

/** CSPRNG bytes (crypto.getRandomValues, present in browsers and Node ≥ 19). */
export function randomKey(length = KEY_BYTES): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** Fresh parameters with a random 16-byte salt. Throws RangeError when N is not a power of 2 ≥ 2. */
export function newKdfParams(cost: { N: number; r: number; p: number } = DEFAULT_KDF_COST): KdfParams {
  checkCost(cost);
  return { algorithm: 'scrypt', N: cost.N, r: cost.r, p: cost.p, salt: encodeBase64(randomKey(16)) };
}

function checkCost(cost: { N: number; r: number; p: number }): void {
  const { N, r, p } = cost;
  if (!Number.isInteger(N) || N < 2 || N > 2 ** 24 || (N & (N - 1)) !== 0) {
    throw new RangeError(`scrypt N: expected a power of 2 in 2 … 2^24, got ${N}`);
  }
  if (!Number.isInteger(r) || r < 1 || r > 64 || !Number.isInteger(p) || p < 1 || p > 16) {
    throw new RangeError(`scrypt r, p: expected 1 … 64 and 1 … 16, got ${r}, ${p}`);
  }
}

/**
 * Reads stored KDF parameters (a file's own bytes: bad data). Throws DimError('store.failure')
 * on an unknown algorithm or costs out of range.
 */
export function parseKdfParams(input: unknown): KdfParams {
  const value = input as Partial<KdfParams> | null;
  try {
    if (typeof value !== 'object' || value === null || value.algorithm !== 'scrypt' || typeof value.salt !== 'string') {
      throw new RangeError('expected {algorithm: "scrypt", N, r, p, salt}');
    }
    checkCost({ N: value.N as number, r: value.r as number, p: value.p as number });
    decodeBase64(value.salt);
    return { algorithm: 'scrypt', N: value.N!, r: value.r!, p: value.p!, salt: value.salt };
  } catch (cause) {
    throw new DimError('store.failure', `key derivation parameters: ${(cause as Error).message}`, { cause });
  }
}

/** The key-encryption key for `passphrase` (NFKC-normalized, UTF-8). */
export async function deriveKey(passphrase: string, params: KdfParams): Promise<Uint8Array> {
  if (typeof passphrase !== 'string') throw new TypeError('passphrase: expected a string');
  return scryptAsync(encodeUtf8(passphrase.normalize('NFKC')), decodeBase64(params.salt), {
    N: params.N,
    r: params.r,
    p: params.p,
    dkLen: KEY_BYTES,
    maxmem: 2 ** 31,
  });
}

/** nonce ‖ ciphertext ‖ tag. `label` is authenticated, not stored. */
export function sealSecret(key: Uint8Array, plaintext: Uint8Array, label: string): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError(`key: expected ${KEY_BYTES} bytes`);
  const nonce = randomKey(NONCE_BYTES);
  const sealed = xchacha20poly1305(key, nonce, encodeUtf8(label)).encrypt(plaintext);
  const out = new Uint8Array(NONCE_BYTES + sealed.length);
  out.set(nonce, 0);
  out.set(sealed, NONCE_BYTES);
  return out;
}

/**
 * Opens what `sealSecret` made with the same key and label. Throws DimError('crypto.decrypt')
 * when the key or label is wrong or the bytes were changed.
 */
export function openSecret(key: Uint8Array, sealed: Uint8Array, label: string): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError(`key: expected ${KEY_BYTES} bytes`);
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new DimError('crypto.decrypt', `${label}: sealed value too short`);
  try {
    return xchacha20poly1305(key, sealed.subarray(0, NONCE_BYTES), encodeUtf8(label)).decrypt(
      sealed.subarray(NONCE_BYTES),
    );
  } catch (cause) {
    throw new DimError('crypto.decrypt', `${label}: wrong key or altered data`, { cause });
  }
}
