import { DimError } from '../errors.js';
import { keyBlocks, keyText } from './_key-text.js';
import { boundedMemo } from './_memo.js';
import { encodePem } from './_pem.js';
import { rsaPrivateFromDer, rsaPublicFromDer } from './_rsa-der.js';
import type { CryptoBackend, KeyDict, PrivateKey, PublicKey, RsaPrivateKeyData, RsaPublicKeyData } from './types.js';

// ---- writing (wire spec §2.4 "write" rules) ----

/** What we write: SPKI PEM (every reader handles it), plus `keySize` when the modulus is not 128 bytes. */
export function rsaPublicDict(key: RsaPublicKeyData): KeyDict {
  const dict: KeyDict = {
    algorithm: 'RSA',
    data: encodePem('PUBLIC KEY', key.spki),
    mode: 'ECB',
    padding: 'PKCS1',
    digest: 'SHA256',
  };
  // JS readers left-pad to `keySize` bytes (default 128) when encrypting.
  return Object.freeze(key.size === 128 ? dict : { ...dict, keySize: key.size });
}

/** The reference's combined form, SPKI PEM + CRLF + PKCS#1 PEM, so reference tools read our identity files. */
export function rsaPrivateDict(key: RsaPrivateKeyData): KeyDict {
  const data = encodePem('PUBLIC KEY', key.spki) + '\r\n' + encodePem('RSA PRIVATE KEY', key.pkcs1);
  return Object.freeze({ algorithm: 'RSA', data, mode: 'ECB', padding: 'PKCS1', digest: 'SHA256' });
}

// ---- key objects ----

export function rsaPublicKey(key: RsaPublicKeyData, dict: KeyDict, backend: CryptoBackend): PublicKey {
  return Object.freeze({
    algorithm: 'RSA' as const,
    dict,
    // A copy: backends may cache native keys per data object, so callers must not reach its bytes.
    keyData: key.spki.slice(),
    verify: (data: Uint8Array, signature: Uint8Array) => backend.rsaVerify(key, data, signature),
    encrypt: (plaintext: Uint8Array) => backend.rsaEncrypt(key, plaintext),
  });
}

export function rsaPrivateKey(key: RsaPrivateKeyData, dict: KeyDict, backend: CryptoBackend): PrivateKey {
  return Object.freeze({
    algorithm: 'RSA' as const,
    dict,
    publicKey: rsaPublicKey(key, rsaPublicDict(key), backend),
    sign: (data: Uint8Array) => backend.rsaSign(key, data),
    decrypt: (ciphertext: Uint8Array) => backend.rsaDecrypt(key, ciphertext),
  });
}

// ---- reading ----

/**
 * RSA public key `data` in any form of wire spec §2.4: SPKI PEM, PKCS#1 `RSA PUBLIC KEY` PEM,
 * `PUBLIC KEY` armour around PKCS#1, bare Base64 DER, or the reference's combined
 * "public PEM + private PEM" text (the public block is used).
 */
export function readRsaPublicKey(dict: KeyDict): RsaPublicKeyData {
  return rsaPublicFromText(keyText(dict));
}

/** One parsed object per distinct key text (see _memo.ts). */
const rsaPublicFromText = boundedMemo(1024, (text: string): RsaPublicKeyData => {
  const block = keyBlocks(text).find((b) => b.label === '' || b.label.endsWith('PUBLIC KEY'));
  if (block === undefined) throw new DimError('key.format', 'RSA public key: no PUBLIC KEY block');
  return rsaPublicFromDer(block.der);
});

/** RSA private key `data`: PKCS#1 or PKCS#8 PEM, alone or after the public PEM (combined form), or bare DER. */
export function readRsaPrivateKey(dict: KeyDict): RsaPrivateKeyData {
  const blocks = keyBlocks(keyText(dict));
  const block = blocks.find((b) => b.label === '' || b.label === 'RSA PRIVATE KEY' || b.label === 'PRIVATE KEY');
  if (block === undefined) throw new DimError('key.format', 'RSA private key: no (unencrypted) PRIVATE KEY block');
  return rsaPrivateFromDer(block.der);
}
