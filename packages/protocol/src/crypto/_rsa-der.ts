import { DimError } from '../errors.js';
import { bitLength, modInverse } from './_bigint.js';
import {
  DER_NULL,
  TAG_INTEGER,
  TAG_OCTET_STRING,
  TAG_OID,
  TAG_SEQUENCE,
  derBitString,
  derElement,
  derUnsigned,
  readBitStringBytes,
  readOnly,
  readUnsigned,
  sameBytes,
  sequenceItems,
} from './_der.js';
import type { RsaPrivateKeyData, RsaPublicKeyData } from './types.js';

/** Modulus sizes we accept. Reference keys are 1024 bits (sometimes 1023: wire spec §2.4). */
export const RSA_MIN_BITS = 512;
export const RSA_MAX_BITS = 8192;
/** Public exponents are small in practice (65537); a huge one would only make verification slow. */
const RSA_MAX_EXPONENT_BITS = 64;

/** rsaEncryption, 1.2.840.113549.1.1.1 */
const OID_RSA = new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
const RSA_ALGORITHM_ID = derElement(TAG_SEQUENCE, derElement(TAG_OID, OID_RSA), DER_NULL);

function checkAlgorithmId(items: readonly { tag: number; value: Uint8Array }[], what: string): void {
  const oid = items[0];
  if (oid === undefined || oid.tag !== TAG_OID || !sameBytes(oid.value, OID_RSA))
    throw new DimError('key.algorithm', `${what}: not an rsaEncryption key`);
}

/** Builds checked public key data from the numbers; the SPKI DER is always re-encoded canonically. */
export function rsaPublicKeyData(n: bigint, e: bigint): RsaPublicKeyData {
  const bits = bitLength(n);
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
    throw new DimError('key.size', `RSA modulus of ${bits} bits (expected ${RSA_MIN_BITS}…${RSA_MAX_BITS})`);
  if ((n & 1n) === 0n) throw new DimError('key.format', 'RSA modulus is even');
  if (e < 3n || (e & 1n) === 0n || bitLength(e) > RSA_MAX_EXPONENT_BITS || e >= n)
    throw new DimError('key.format', 'RSA public exponent out of range');
  const pkcs1 = derElement(TAG_SEQUENCE, derUnsigned(n), derUnsigned(e));
  const spki = derElement(TAG_SEQUENCE, RSA_ALGORITHM_ID, derBitString(pkcs1));
  return Object.freeze({ n, e, size: Math.ceil(bits / 8), spki });
}

export interface RsaPrivateNumbers {
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qi: bigint;
}

/** Checks that the CRT numbers belong together (a wrong one would sign garbage) and encodes PKCS#1. */
export function rsaPrivateKeyData(k: RsaPrivateNumbers): RsaPrivateKeyData {
  const pub = rsaPublicKeyData(k.n, k.e);
  const { n, e, d, p, q, dp, dq, qi } = k;
  const consistent =
    p > 1n &&
    q > 1n &&
    p * q === n &&
    d > 0n &&
    d < n &&
    dp === d % (p - 1n) &&
    dq === d % (q - 1n) &&
    (e * dp) % (p - 1n) === 1n &&
    (e * dq) % (q - 1n) === 1n &&
    (qi * q) % p === 1n;
  if (!consistent) throw new DimError('key.format', 'RSA private key numbers are inconsistent');
  const pkcs1 = derElement(TAG_SEQUENCE, ...[0n, n, e, d, p, q, dp, dq, qi].map(derUnsigned));
  return Object.freeze({ ...pub, d, p, q, dp, dq, qi, pkcs1 });
}

/** CRT numbers from n, e, d, p, q (for keys we generate). */
export function rsaPrivateFromPrimes(p: bigint, q: bigint, e: bigint, d: bigint): RsaPrivateKeyData {
  const qi = modInverse(q, p);
  if (qi === undefined) throw new RangeError('rsaPrivateFromPrimes: p and q are not coprime');
  return rsaPrivateKeyData({ n: p * q, e, d, p, q, dp: d % (p - 1n), dq: d % (q - 1n), qi });
}

/**
 * Reads an RSA public key from DER, whatever the armour said: SubjectPublicKeyInfo (starts
 * with the AlgorithmIdentifier SEQUENCE) or PKCS#1 RSAPublicKey (starts with an INTEGER) —
 * the legacy `BEGIN PUBLIC KEY` around a PKCS#1 body depends on this (wire spec §2.4 item 3).
 */
export function rsaPublicFromDer(der: Uint8Array): RsaPublicKeyData {
  const items = sequenceItems(readOnly(der, TAG_SEQUENCE, 'RSA public key'), 'RSA public key');
  if (items[0]?.tag === TAG_SEQUENCE) {
    checkAlgorithmId(sequenceItems(items[0], 'SPKI algorithm'), 'SPKI');
    if (items.length !== 2) throw new DimError('key.format', 'SPKI: expected 2 elements');
    return rsaPublicFromDer(readBitStringBytes(items[1], 'SPKI key'));
  }
  if (items.length !== 2) throw new DimError('key.format', 'RSAPublicKey: expected 2 INTEGERs');
  return rsaPublicKeyData(readUnsigned(items[0], 'modulus'), readUnsigned(items[1], 'publicExponent'));
}

/** Reads an RSA private key from PKCS#1 RSAPrivateKey or PKCS#8 PrivateKeyInfo DER. */
export function rsaPrivateFromDer(der: Uint8Array): RsaPrivateKeyData {
  const items = sequenceItems(readOnly(der, TAG_SEQUENCE, 'RSA private key'), 'RSA private key');
  if (items[1]?.tag === TAG_SEQUENCE) {
    // PKCS#8: version, AlgorithmIdentifier, OCTET STRING { RSAPrivateKey }, [attributes]
    checkAlgorithmId(sequenceItems(items[1], 'PKCS#8 algorithm'), 'PKCS#8');
    const inner = items[2];
    if (inner === undefined || inner.tag !== TAG_OCTET_STRING)
      throw new DimError('key.format', 'PKCS#8: expected an OCTET STRING');
    return rsaPrivateFromDer(inner.value);
  }
  if (items.length < 9 || items[0]?.tag !== TAG_INTEGER || readUnsigned(items[0], 'version') !== 0n)
    throw new DimError('key.format', 'RSAPrivateKey: expected version 0 and 8 INTEGERs');
  const [n, e, d, p, q, dp, dq, qi] = [
    'modulus',
    'publicExponent',
    'privateExponent',
    'prime1',
    'prime2',
    'exponent1',
    'exponent2',
    'coefficient',
  ].map((what, i) => readUnsigned(items[i + 1], what)) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  return rsaPrivateKeyData({ n, e, d, p, q, dp, dq, qi });
}
