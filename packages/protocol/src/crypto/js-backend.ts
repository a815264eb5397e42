import { cbc } from '@noble/ciphers/aes.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { DimError } from '../errors.js';
import { bigintToBytes, bytesToBigint, modInverse, modPow } from './_bigint.js';
import { pkcs1DecryptionUnpad, pkcs1EncryptionPad, pkcs1SignatureEncode } from './_pkcs1.js';
import { generateRsaKey } from './_rsa-generate.js';
import { sha256 } from './digest.js';
import type { CryptoBackend, RsaPrivateKeyData, RsaPublicKeyData } from './types.js';

/** crypto.getRandomValues fills at most 65536 bytes per call. */
function randomBytes(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`randomBytes: bad length ${length}`);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
}

function checkAesArgs(key: Uint8Array, iv: Uint8Array): void {
  if (key.length !== 32) throw new RangeError(`AES-256 key: expected 32 bytes, got ${key.length}`);
  if (iv.length !== 16) throw new RangeError(`AES IV: expected 16 bytes, got ${iv.length}`);
}

/** An RSA input (ciphertext or signature) as an integer below n; undefined if it cannot be one. */
function rsaInput(key: RsaPublicKeyData, bytes: Uint8Array): bigint | undefined {
  // Shorter inputs are accepted as the same integer (some writers drop leading zero bytes).
  if (bytes.length > key.size) return undefined;
  const x = bytesToBigint(bytes);
  return x < key.n ? x : undefined;
}

/**
 * x^d mod n by CRT, blinded with a fresh random r (x·r^e) so that BigInt timing, which is not
 * constant, tells nothing about d or x.
 */
function rsaPrivate(key: RsaPrivateKeyData, x: bigint): bigint {
  let r: bigint;
  let rInv: bigint | undefined;
  do {
    r = bytesToBigint(randomBytes(key.size)) % key.n;
    rInv = r > 1n ? modInverse(r, key.n) : undefined;
  } while (rInv === undefined);
  const blinded = (x * modPow(r, key.e, key.n)) % key.n;
  const m1 = modPow(blinded % key.p, key.dp, key.p);
  const m2 = modPow(blinded % key.q, key.dq, key.q);
  let h = ((m1 - m2) * key.qi) % key.p;
  if (h < 0n) h += key.p;
  return ((m2 + h * key.q) * rInv) % key.n;
}

/**
 * The default backend: pure JavaScript (noble AES and secp256k1, RSA on BigInt), runs in
 * browsers and Node alike. Injected where needed, never auto-detected.
 */
export const jsBackend: CryptoBackend = Object.freeze({
  name: 'js',
  randomBytes,

  aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
    checkAesArgs(key, iv);
    return cbc(key, iv).encrypt(plaintext);
  },

  aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (key.length !== 32) throw new RangeError(`AES-256 key: expected 32 bytes, got ${key.length}`);
    if (iv.length !== 16) throw new DimError('crypto.decrypt', `AES IV: expected 16 bytes, got ${iv.length}`);
    if (ciphertext.length === 0 || ciphertext.length % 16 !== 0)
      throw new DimError('crypto.decrypt', `AES-CBC ciphertext of ${ciphertext.length} bytes`);
    try {
      return cbc(key, iv).decrypt(ciphertext);
    } catch (cause) {
      throw new DimError('crypto.decrypt', 'AES-CBC: bad padding', { cause });
    }
  },

  rsaEncrypt(key: RsaPublicKeyData, plaintext: Uint8Array): Uint8Array {
    const em = pkcs1EncryptionPad(plaintext, key.size, randomBytes);
    return bigintToBytes(modPow(bytesToBigint(em), key.e, key.n), key.size);
  },

  rsaDecrypt(key: RsaPrivateKeyData, ciphertext: Uint8Array): Uint8Array {
    const c = rsaInput(key, ciphertext);
    if (c === undefined) throw new DimError('crypto.decrypt', `RSA ciphertext of ${ciphertext.length} bytes`);
    return pkcs1DecryptionUnpad(bigintToBytes(rsaPrivate(key, c), key.size));
  },

  rsaSign(key: RsaPrivateKeyData, data: Uint8Array): Uint8Array {
    const m = bytesToBigint(pkcs1SignatureEncode(sha256(data), key.size));
    const s = rsaPrivate(key, m);
    // A computing fault in the CRT halves would leak a prime factor: check before releasing.
    if (modPow(s, key.e, key.n) !== m) throw new Error('RSA signature self-check failed');
    return bigintToBytes(s, key.size);
  },

  rsaVerify(key: RsaPublicKeyData, data: Uint8Array, signature: Uint8Array): boolean {
    try {
      const s = rsaInput(key, signature);
      if (s === undefined) return false;
      const em = bigintToBytes(modPow(s, key.e, key.n), key.size);
      const expected = pkcs1SignatureEncode(sha256(data), key.size);
      let diff = 0;
      for (let i = 0; i < em.length; i++) diff |= em[i]! ^ expected[i]!;
      return diff === 0;
    } catch {
      return false;
    }
  },

  rsaGenerate(bits: number): RsaPrivateKeyData {
    return generateRsaKey(bits, randomBytes);
  },

  eccSign(privateKey: Uint8Array, data: Uint8Array): Uint8Array {
    // RFC 6979 nonce hedged with fresh randomness; low-S output (accepted by every verifier).
    return secp256k1.sign(data, privateKey, { prehash: true, format: 'der', extraEntropy: randomBytes(32) });
  },

  eccVerify(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    try {
      // Reference signers do not normalize S (wire spec §2.5): accept high-S.
      return secp256k1.verify(signature, data, publicKey, { prehash: true, format: 'der', lowS: false });
    } catch {
      return false;
    }
  },
});
