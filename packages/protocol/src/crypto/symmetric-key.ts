import { DimError } from '../errors.js';
import { decodeTed, encodeTed } from '../encoding/ted.js';
import type { CryptoBackend, KeyDict, SymmetricKey } from './types.js';

/** IV used when a message carries none (legacy, wire spec §2.2 and §10.1). */
const ZERO_IV = new Uint8Array(16);

/**
 * An AES-256-CBC key. `legacyIv` is an `iv`/`IV` found inside an old key dict: Python and Dart
 * readers fall back to it when the message has no IV (wire spec §2.2).
 */
export function aesKey(
  bytes: Uint8Array,
  dict: KeyDict,
  backend: CryptoBackend,
  legacyIv: Uint8Array = ZERO_IV,
): SymmetricKey {
  return Object.freeze({
    algorithm: 'AES' as const,
    dict,
    bytes,
    encrypt(plaintext: Uint8Array, iv?: Uint8Array) {
      const useIv = iv ?? backend.randomBytes(16);
      return { ciphertext: backend.aesCbcEncrypt(bytes, useIv, plaintext), iv: useIv };
    },
    decrypt(ciphertext: Uint8Array, iv?: Uint8Array) {
      return backend.aesCbcDecrypt(bytes, iv ?? legacyIv, ciphertext);
    },
  });
}

/** The no-op key of broadcasts (wire spec §2.3); never serialized into a message. */
export const PLAIN_KEY: SymmetricKey = plainKey(Object.freeze({ algorithm: 'PLAIN' }));

export function plainKey(dict: KeyDict): SymmetricKey {
  return Object.freeze({
    algorithm: 'PLAIN' as const,
    dict,
    bytes: new Uint8Array(0),
    encrypt: (plaintext: Uint8Array) => ({ ciphertext: plaintext }),
    decrypt: (ciphertext: Uint8Array) => ciphertext,
  });
}

/** `{algorithm:'AES', data}` only: no local flags, so it stays far below RSA-1024's 117-byte limit (§2.2, §11.5). */
export function aesDict(bytes: Uint8Array): KeyDict {
  return Object.freeze({ algorithm: 'AES', data: encodeTed(bytes) });
}

/**
 * Reads an AES key dict: `data` is TED (normally Base64) of exactly 32 bytes; `keySize`,
 * `sizeInBits`, `blockSize`, `mode`, `padding`, `reused`, `digest` are ignored. The 2018
 * `passphrase` form is not supported (no current reader implements it).
 */
export function readAesKey(dict: KeyDict, backend: CryptoBackend): SymmetricKey {
  const data = dict['data'];
  if (data === undefined) throw new DimError('key.format', 'AES key: missing "data"');
  let bytes: Uint8Array;
  try {
    bytes = decodeTed(data);
  } catch (cause) {
    throw new DimError('key.format', 'AES key: "data" is not encoded bytes', { cause });
  }
  if (bytes.length !== 32) throw new DimError('key.size', `AES key: ${bytes.length} bytes (expected 32)`);
  const ivText = dict['iv'] ?? dict['IV'];
  if (ivText === undefined || ivText === null) return aesKey(bytes, dict, backend);
  let iv: Uint8Array;
  try {
    iv = decodeTed(ivText);
  } catch (cause) {
    throw new DimError('key.format', 'AES key: legacy "iv" is not encoded bytes', { cause });
  }
  if (iv.length !== 16) throw new DimError('key.format', `AES key: legacy "iv" of ${iv.length} bytes`);
  return aesKey(bytes, dict, backend, iv);
}
