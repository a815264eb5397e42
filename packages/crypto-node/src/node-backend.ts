import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomFillSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { DimError } from '@dimkit/protocol';
import {
  _pkcs1DecryptionUnpad,
  _rsaPrivateFromDer,
  type CryptoBackend,
  type RsaPrivateKeyData,
  type RsaPublicKeyData,
} from '@dimkit/protocol/crypto';

/**
 * node:crypto (OpenSSL) behind the protocol's CryptoBackend contract. Native KeyObjects are
 * built once per key-data object and cached in WeakMaps, so a call costs one OpenSSL
 * operation and no PEM/DER parsing; they go away with the key.
 */

const rsaPublicKeys = new WeakMap<RsaPublicKeyData, KeyObject>();
const rsaPrivateKeys = new WeakMap<RsaPrivateKeyData, KeyObject>();
const eccPublicKeys = new WeakMap<Uint8Array, KeyObject>();
const eccPrivateKeys = new WeakMap<Uint8Array, KeyObject>();

/** SPKI header for a secp256k1 uncompressed point (id-ecPublicKey, secp256k1, BIT STRING of 66). */
const EC_SPKI_PREFIX = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex');
/** SEC1 ECPrivateKey{1, OCTET STRING(32) …} around the scalar, then [0] secp256k1. */
const EC_SEC1_PREFIX = Buffer.from('302e0201010420', 'hex');
const EC_SEC1_SUFFIX = Buffer.from('a00706052b8104000a', 'hex');

/** Node returns Buffers; hand out plain Uint8Array views of the same memory (no copy). */
function bytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function rsaPublicKeyObject(key: RsaPublicKeyData): KeyObject {
  let ko = rsaPublicKeys.get(key);
  if (ko === undefined) {
    ko = createPublicKey({ key: Buffer.from(key.spki), format: 'der', type: 'spki' });
    rsaPublicKeys.set(key, ko);
  }
  return ko;
}

function rsaPrivateKeyObject(key: RsaPrivateKeyData): KeyObject {
  let ko = rsaPrivateKeys.get(key);
  if (ko === undefined) {
    ko = createPrivateKey({ key: Buffer.from(key.pkcs1), format: 'der', type: 'pkcs1' });
    rsaPrivateKeys.set(key, ko);
  }
  return ko;
}

function eccPublicKeyObject(point: Uint8Array): KeyObject {
  let ko = eccPublicKeys.get(point);
  if (ko === undefined) {
    ko = createPublicKey({ key: Buffer.concat([EC_SPKI_PREFIX, point]), format: 'der', type: 'spki' });
    eccPublicKeys.set(point, ko);
  }
  return ko;
}

function eccPrivateKeyObject(secret: Uint8Array): KeyObject {
  let ko = eccPrivateKeys.get(secret);
  if (ko === undefined) {
    if (secret.length !== 32) throw new RangeError(`secp256k1 private key: expected 32 bytes, got ${secret.length}`);
    // OpenSSL derives the public point when the SEC1 structure omits it.
    const der = Buffer.concat([EC_SEC1_PREFIX, secret, EC_SEC1_SUFFIX]);
    ko = createPrivateKey({ key: der, format: 'der', type: 'sec1' });
    eccPrivateKeys.set(secret, ko);
  }
  return ko;
}

/** An RSA input of exactly the modulus length (shorter ones are the same integer: left-pad); undefined if longer. */
function modulusLength(key: RsaPublicKeyData, input: Uint8Array): Uint8Array | undefined {
  if (input.length === key.size) return input;
  if (input.length > key.size) return undefined;
  const out = new Uint8Array(key.size);
  out.set(input, key.size - input.length);
  return out;
}

/**
 * CSPRNG output drawn from OpenSSL 4 KiB at a time: one call into node:crypto costs more than a
 * message's AES, and every sealed message needs an IV (and a fresh key now and then). Each byte
 * is handed out once, as a copy, and wiped from the pool as it goes.
 */
const RANDOM_POOL_BYTES = 4096;
const MAX_POOLED_REQUEST = 256;
const randomPool = new Uint8Array(RANDOM_POOL_BYTES);
let randomOffset = RANDOM_POOL_BYTES;

function randomBytes(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`randomBytes: bad length ${length}`);
  if (length > MAX_POOLED_REQUEST) return randomFillSync(new Uint8Array(length));
  if (randomOffset + length > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const out = randomPool.slice(randomOffset, randomOffset + length);
  randomPool.fill(0, randomOffset, randomOffset + length);
  randomOffset += length;
  return out;
}

function checkAesKey(key: Uint8Array): void {
  if (key.length !== 32) throw new RangeError(`AES-256 key: expected 32 bytes, got ${key.length}`);
}

export const nodeBackend: CryptoBackend = Object.freeze({
  name: 'node',
  randomBytes,

  encodeBase64(data: Uint8Array): string {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  },

  aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
    checkAesKey(key);
    if (iv.length !== 16) throw new RangeError(`AES IV: expected 16 bytes, got ${iv.length}`);
    const cipher = createCipheriv('aes-256-cbc', key, iv);
    return bytes(Buffer.concat([cipher.update(plaintext), cipher.final()]));
  },

  aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    checkAesKey(key);
    if (iv.length !== 16) throw new DimError('crypto.decrypt', `AES IV: expected 16 bytes, got ${iv.length}`);
    if (ciphertext.length === 0 || ciphertext.length % 16 !== 0)
      throw new DimError('crypto.decrypt', `AES-CBC ciphertext of ${ciphertext.length} bytes`);
    try {
      const decipher = createDecipheriv('aes-256-cbc', key, iv);
      return bytes(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
    } catch (cause) {
      throw new DimError('crypto.decrypt', 'AES-CBC: bad padding', { cause });
    }
  },

  rsaEncrypt(key: RsaPublicKeyData, plaintext: Uint8Array): Uint8Array {
    if (plaintext.length > key.size - 11)
      throw new DimError('crypto.encrypt', `RSA plaintext of ${plaintext.length} bytes exceeds ${key.size - 11}`);
    return bytes(publicEncrypt({ key: rsaPublicKeyObject(key), padding: constants.RSA_PKCS1_PADDING }, plaintext));
  },

  rsaDecrypt(key: RsaPrivateKeyData, ciphertext: Uint8Array): Uint8Array {
    const input = modulusLength(key, ciphertext);
    if (input === undefined) throw new DimError('crypto.decrypt', `RSA ciphertext of ${ciphertext.length} bytes`);
    let em: Uint8Array;
    try {
      // Node ≥ 20.11 refuses PKCS#1 v1.5 private decryption (CVE-2023-46809): take the raw
      // block and check the padding ourselves, in constant time (wire spec §11 item 4).
      em = bytes(privateDecrypt({ key: rsaPrivateKeyObject(key), padding: constants.RSA_NO_PADDING }, input));
    } catch (cause) {
      throw new DimError('crypto.decrypt', 'RSA decryption failed', { cause });
    }
    return _pkcs1DecryptionUnpad(modulusLength(key, em) ?? em);
  },

  rsaSign(key: RsaPrivateKeyData, data: Uint8Array): Uint8Array {
    return bytes(sign('sha256', data, rsaPrivateKeyObject(key)));
  },

  rsaVerify(key: RsaPublicKeyData, data: Uint8Array, signature: Uint8Array): boolean {
    try {
      const sig = modulusLength(key, signature);
      return sig !== undefined && verify('sha256', data, rsaPublicKeyObject(key), sig);
    } catch {
      return false;
    }
  },

  rsaGenerate(bits: number): RsaPrivateKeyData {
    if (!Number.isInteger(bits) || bits < 512 || bits > 8192 || bits % 2 !== 0)
      throw new RangeError(`RSA key size: expected an even number of bits in 512…8192, got ${bits}`);
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: bits,
      publicExponent: 65537,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs1', format: 'der' },
    });
    return _rsaPrivateFromDer(bytes(privateKey));
  },

  eccSign(privateKey: Uint8Array, data: Uint8Array): Uint8Array {
    return bytes(sign('sha256', data, { key: eccPrivateKeyObject(privateKey), dsaEncoding: 'der' }));
  },

  eccVerify(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    try {
      // OpenSSL accepts high-S signatures, as the reference signers need (wire spec §2.5).
      return verify('sha256', data, { key: eccPublicKeyObject(publicKey), dsaEncoding: 'der' }, signature);
    } catch {
      return false;
    }
  },
});
