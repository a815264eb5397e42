import { secp256k1 } from '@noble/curves/secp256k1.js';
import { DimError } from '../errors.js';
import { isJsonObject } from '../encoding/json.js';
import { eccPrivateDict, eccPrivateKey, eccPublicKey, readEccPrivateKey, readEccPublicKey } from './ecc-key.js';
import { jsBackend } from './js-backend.js';
import { readRsaPrivateKey, readRsaPublicKey, rsaPrivateDict, rsaPrivateKey, rsaPublicKey } from './rsa-key.js';
import { aesDict, aesKey, plainKey, readAesKey } from './symmetric-key.js';
import type { CryptoBackend, KeyDict, PrivateKey, PublicKey, SymmetricKey } from './types.js';

/** Canonical family of each `algorithm` value readers accept (wire spec §2.1). */
const ASYMMETRIC_ALGORITHMS: ReadonlyMap<string, 'RSA' | 'ECC'> = new Map([
  ['RSA', 'RSA'],
  ['SHA256withRSA', 'RSA'],
  ['RSA/ECB/PKCS1Padding', 'RSA'],
  ['ECC', 'ECC'],
  ['SHA256withECDSA', 'ECC'],
]);

const SYMMETRIC_ALGORITHMS: ReadonlyMap<string, 'AES' | 'PLAIN'> = new Map([
  ['AES', 'AES'],
  ['AES/CBC/PKCS7Padding', 'AES'],
  ['PLAIN', 'PLAIN'],
]);

/** The input as a key dict: a JSON object with a string `algorithm` (Dart rejects keys without one). */
function keyDict(input: unknown, what: string): KeyDict {
  if (!isJsonObject(input)) throw new DimError('key.format', `${what}: expected a JSON object`);
  if (typeof input['algorithm'] !== 'string') throw new DimError('key.format', `${what}: missing "algorithm"`);
  return input as KeyDict;
}

function family<T extends string>(table: ReadonlyMap<string, T>, dict: KeyDict, what: string): T {
  const name = table.get(dict.algorithm);
  if (name === undefined)
    throw new DimError('key.algorithm', `${what}: unsupported algorithm "${dict.algorithm.slice(0, 40)}"`);
  return name;
}

/**
 * Reads a public key dict (RSA: every `data` form of wire spec §2.4; ECC: §2.5). The key keeps
 * `dict` as given, so relaying or re-serializing never rewrites it.
 * Throws DimError 'key.format' | 'key.algorithm' | 'key.size'.
 */
export function parsePublicKey(dict: unknown, backend: CryptoBackend = jsBackend): PublicKey {
  const d = keyDict(dict, 'public key');
  return family(ASYMMETRIC_ALGORITHMS, d, 'public key') === 'RSA'
    ? rsaPublicKey(readRsaPublicKey(d), d, backend)
    : eccPublicKey(readEccPublicKey(d), d, backend);
}

/**
 * Reads a private key dict: RSA PKCS#1 / PKCS#8 PEM (alone or in the reference's combined
 * "public PEM + private PEM" form), ECC 64-hex or PEM. Throws like parsePublicKey.
 */
export function parsePrivateKey(dict: unknown, backend: CryptoBackend = jsBackend): PrivateKey {
  const d = keyDict(dict, 'private key');
  return family(ASYMMETRIC_ALGORITHMS, d, 'private key') === 'RSA'
    ? rsaPrivateKey(readRsaPrivateKey(d), d, backend)
    : eccPrivateKey(readEccPrivateKey(d), d, backend);
}

/**
 * Reads a message key ("password", wire spec §2.2/§2.3): `AES` (alias `AES/CBC/PKCS7Padding`,
 * 32-byte `data`) or `PLAIN`. Short names (`A`, `D`, `I`) must be expanded first (compat).
 */
export function parseSymmetricKey(dict: unknown, backend: CryptoBackend = jsBackend): SymmetricKey {
  const d = keyDict(dict, 'symmetric key');
  return family(SYMMETRIC_ALGORITHMS, d, 'symmetric key') === 'AES' ? readAesKey(d, backend) : plainKey(d);
}

/**
 * A new private key from the backend's CSPRNG. RSA defaults to 1024 bits, like every reference
 * generator (wire spec §2.4: JS peers assume 128-byte ciphertexts unless told `keySize`).
 * Throws RangeError for an unsupported size.
 */
export function generatePrivateKey(
  algorithm: 'RSA' | 'ECC',
  options: { bits?: number } = {},
  backend: CryptoBackend = jsBackend,
): PrivateKey {
  if (algorithm === 'RSA') {
    const data = backend.rsaGenerate(options.bits ?? 1024);
    return rsaPrivateKey(data, rsaPrivateDict(data), backend);
  }
  if (algorithm === 'ECC') {
    let secret: Uint8Array;
    do secret = backend.randomBytes(32);
    while (!secp256k1.utils.isValidSecretKey(secret));
    return eccPrivateKey(secret, eccPrivateDict(secret), backend);
  }
  throw new TypeError(`generatePrivateKey: expected 'RSA' or 'ECC', got ${String(algorithm)}`);
}

/** A new AES-256 message key from the backend's CSPRNG. */
export function generateSymmetricKey(backend: CryptoBackend = jsBackend): SymmetricKey {
  const bytes = backend.randomBytes(32);
  return aesKey(bytes, aesDict(bytes), backend);
}
