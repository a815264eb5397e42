import { DimError } from '../errors.js';

/**
 * PKCS#1 v1.5 (RFC 8017) paddings shared by every backend: type 2 for encryption (wire spec
 * §2.4, not OAEP) and type 1 with the SHA-256 DigestInfo for signatures.
 */

/** DER prefix of DigestInfo{ sha256, NULL } before the 32-byte hash (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = new Uint8Array([
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
]);

/** EM = 00 02 PS 00 M with PS ≥ 8 non-zero random bytes; throws DimError('crypto.encrypt') when M is too long. */
export function pkcs1EncryptionPad(
  message: Uint8Array,
  k: number,
  randomBytes: (length: number) => Uint8Array,
): Uint8Array {
  if (message.length > k - 11)
    throw new DimError('crypto.encrypt', `RSA plaintext of ${message.length} bytes exceeds ${k - 11} for this key`);
  const em = new Uint8Array(k);
  em[1] = 2;
  const psEnd = k - message.length - 1;
  let pos = 2;
  while (pos < psEnd) {
    const fill = randomBytes(psEnd - pos + 8);
    for (let i = 0; i < fill.length && pos < psEnd; i++) if (fill[i] !== 0) em[pos++] = fill[i]!;
  }
  em.set(message, psEnd + 1);
  return em;
}

/**
 * Strips `00 02 PS 00` from a decrypted block of exactly the modulus length, scanning every
 * byte whatever it finds so the time taken does not depend on where (or whether) the padding
 * is wrong (Bleichenbacher). Throws one DimError('crypto.decrypt') for every kind of failure.
 * Shared with @dimkit/crypto-node, which decrypts with RSA_NO_PADDING (wire spec §11 item 4).
 */
export function pkcs1DecryptionUnpad(em: Uint8Array): Uint8Array {
  const k = em.length;
  // `bad` becomes non-zero on any failure; the loop never branches on secret bytes.
  let bad = k < 11 ? 1 : 0;
  bad |= em[0]! | (em[1]! ^ 2);
  let found = 0;
  let separator = 0;
  for (let i = 2; i < k; i++) {
    const isZero = ((em[i]! - 1) >> 8) & 1; // 1 iff em[i] === 0
    const first = isZero & (found ^ 1);
    separator |= -first & i;
    found |= isZero;
  }
  bad |= found ^ 1;
  bad |= ((separator - 10) >> 31) & 1; // fewer than 8 padding bytes
  if (bad !== 0) throw new DimError('crypto.decrypt', 'RSA decryption failed');
  return em.slice(separator + 1);
}

/** EMSA-PKCS1-v1_5 encoding of a SHA-256 hash: 00 01 FF… 00 DigestInfo (RFC 8017 §9.2). */
export function pkcs1SignatureEncode(hash: Uint8Array, k: number): Uint8Array {
  const tLen = SHA256_DIGEST_INFO.length + hash.length;
  if (k < tLen + 11) throw new DimError('key.size', `RSA modulus of ${k} bytes is too short for SHA-256 signatures`);
  const em = new Uint8Array(k);
  em[1] = 1;
  em.fill(0xff, 2, k - tLen - 1);
  em.set(SHA256_DIGEST_INFO, k - tLen);
  em.set(hash, k - hash.length);
  return em;
}
