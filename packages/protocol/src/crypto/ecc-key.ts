import { secp256k1 } from '@noble/curves/secp256k1.js';
import { DimError } from '../errors.js';
import { decodeHex, encodeHex } from '../encoding/hex.js';
import {
  TAG_INTEGER,
  TAG_OCTET_STRING,
  TAG_OID,
  TAG_SEQUENCE,
  readAll,
  readBitStringBytes,
  readOnly,
  readUnsigned,
  sameBytes,
  sequenceItems,
  type Tlv,
} from './_der.js';
import { keyBlocks, keyText } from './_key-text.js';
import { boundedMemo } from './_memo.js';
import type { CryptoBackend, KeyDict, PrivateKey, PublicKey } from './types.js';

/** id-ecPublicKey 1.2.840.10045.2.1 and secp256k1 1.3.132.0.10 */
const OID_EC_PUBLIC_KEY = new Uint8Array([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]);
const OID_SECP256K1 = new Uint8Array([0x2b, 0x81, 0x04, 0x00, 0x0a]);

/** A checked secp256k1 point as the 65-byte uncompressed encoding; DimError('key.format') if not on the curve. */
function uncompressedPoint(bytes: Uint8Array): Uint8Array {
  try {
    return secp256k1.Point.fromBytes(bytes).toBytes(false);
  } catch (cause) {
    throw new DimError('key.format', 'ECC public key: not a secp256k1 point', { cause });
  }
}

function checkEcAlgorithm(tlv: Tlv | undefined, what: string): void {
  const [oid, curve] = sequenceItems(tlv, `${what} algorithm`);
  if (oid?.tag !== TAG_OID || !sameBytes(oid.value, OID_EC_PUBLIC_KEY))
    throw new DimError('key.algorithm', `${what}: not an EC key`);
  checkCurve(curve, what);
}

function checkCurve(curve: Tlv | undefined, what: string): void {
  if (curve?.tag !== TAG_OID || !sameBytes(curve.value, OID_SECP256K1))
    throw new DimError('key.algorithm', `${what}: curve is not secp256k1`);
}

// ---- writing (wire spec §2.5 "write" rules) ----

/** Uncompressed hex (130 chars), which JS, Python and Dart all read; never compressed. */
export function eccPublicDict(point: Uint8Array): KeyDict {
  return Object.freeze({ algorithm: 'ECC', curve: 'secp256k1', data: encodeHex(point), digest: 'SHA256' });
}

/** 64 lower-case hex chars: the only private form the JS reference reads. */
export function eccPrivateDict(secret: Uint8Array): KeyDict {
  return Object.freeze({ algorithm: 'ECC', data: encodeHex(secret) });
}

// ---- key objects ----

export function eccPublicKey(point: Uint8Array, dict: KeyDict, backend: CryptoBackend): PublicKey {
  // "Key data" for addresses: compressed only when the dict says so (wire spec §2.5).
  // A copy either way: backends may cache native keys per `point` object.
  const keyData = dict['compressed'] === true ? secp256k1.Point.fromBytes(point).toBytes(true) : point.slice();
  return Object.freeze({
    algorithm: 'ECC' as const,
    dict,
    keyData,
    verify: (data: Uint8Array, signature: Uint8Array) => backend.eccVerify(point, data, signature),
  });
}

export function eccPrivateKey(secret: Uint8Array, dict: KeyDict, backend: CryptoBackend): PrivateKey {
  const point = secp256k1.getPublicKey(secret, false);
  return Object.freeze({
    algorithm: 'ECC' as const,
    dict,
    publicKey: eccPublicKey(point, eccPublicDict(point), backend),
    sign: (data: Uint8Array) => backend.eccSign(secret, data),
  });
}

// ---- reading ----

/**
 * ECC public key `data` (wire spec §2.5): 130-hex uncompressed `04‖X‖Y`, 66-hex compressed
 * (decompressed here), 128-hex raw `X‖Y`, or an SPKI PEM. Returns the 65-byte point.
 */
export function readEccPublicKey(dict: KeyDict): Uint8Array {
  return eccPublicFromText(keyText(dict).trim());
}

/** One point object per distinct key text (see _memo.ts); callers never get this array itself. */
const eccPublicFromText = boundedMemo(1024, (text: string): Uint8Array => {
  if (text.includes('-----BEGIN')) {
    const block = keyBlocks(text).find((b) => b.label.endsWith('PUBLIC KEY'));
    if (block === undefined) throw new DimError('key.format', 'ECC public key: no PUBLIC KEY block');
    const items = sequenceItems(readOnly(block.der, TAG_SEQUENCE, 'EC SPKI'), 'EC SPKI');
    checkEcAlgorithm(items[0], 'EC SPKI');
    if (items.length !== 2) throw new DimError('key.format', 'EC SPKI: expected 2 elements');
    return uncompressedPoint(readBitStringBytes(items[1], 'EC SPKI point'));
  }
  let bytes: Uint8Array;
  try {
    bytes = decodeHex(text);
  } catch (cause) {
    throw new DimError('key.format', 'ECC public key: data is neither hex nor PEM', { cause });
  }
  if (bytes.length === 64) bytes = Uint8Array.of(4, ...bytes); // raw X‖Y (Python)
  if (bytes.length !== 65 && bytes.length !== 33)
    throw new DimError('key.format', `ECC public key: ${bytes.length} bytes (expected 65, 33 or 64)`);
  return uncompressedPoint(bytes);
});

/** SEC1 ECPrivateKey: version 1, the scalar, then optional [0] curve and [1] public key. */
function secretFromSec1(der: Uint8Array): Uint8Array {
  const items = sequenceItems(readOnly(der, TAG_SEQUENCE, 'ECPrivateKey'), 'ECPrivateKey');
  if (items[0]?.tag !== TAG_INTEGER || readUnsigned(items[0], 'version') !== 1n)
    throw new DimError('key.format', 'ECPrivateKey: expected version 1');
  const scalar = items[1];
  if (scalar?.tag !== TAG_OCTET_STRING || scalar.value.length > 32)
    throw new DimError('key.format', 'ECPrivateKey: expected a scalar of at most 32 bytes');
  const params = items.slice(2).find((t) => t.tag === 0xa0);
  if (params !== undefined) checkCurve(readAll(params.value)[0], 'ECPrivateKey');
  const secret = new Uint8Array(32);
  secret.set(scalar.value, 32 - scalar.value.length);
  return secret;
}

/** ECC private key `data`: 64 hex chars, or PEM (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`). */
export function readEccPrivateKey(dict: KeyDict): Uint8Array {
  const text = keyText(dict).trim();
  let secret: Uint8Array;
  if (text.includes('-----BEGIN')) {
    const block = keyBlocks(text).find((b) => b.label === 'EC PRIVATE KEY' || b.label === 'PRIVATE KEY');
    if (block === undefined) throw new DimError('key.format', 'ECC private key: no (unencrypted) PRIVATE KEY block');
    const items = sequenceItems(readOnly(block.der, TAG_SEQUENCE, 'EC private key'), 'EC private key');
    if (items[1]?.tag === TAG_SEQUENCE) {
      // PKCS#8: version 0, AlgorithmIdentifier{ecPublicKey, secp256k1}, OCTET STRING{ECPrivateKey}
      checkEcAlgorithm(items[1], 'PKCS#8');
      if (items[2]?.tag !== TAG_OCTET_STRING) throw new DimError('key.format', 'PKCS#8: expected an OCTET STRING');
      secret = secretFromSec1(items[2].value);
    } else {
      secret = secretFromSec1(block.der);
    }
  } else {
    if (text.length !== 64) throw new DimError('key.format', `ECC private key: ${text.length} hex chars (expected 64)`);
    try {
      secret = decodeHex(text);
    } catch (cause) {
      throw new DimError('key.format', 'ECC private key: data is not hex', { cause });
    }
  }
  if (!secp256k1.utils.isValidSecretKey(secret))
    throw new DimError('key.format', 'ECC private key: scalar out of range');
  return secret;
}
