import { jsBackend } from '../crypto/index.js';
import type { CryptoBackend, PublicKey, VerifyKey } from '../crypto/types.js';
import { DimError } from '../errors.js';
import type { Document } from './document.js';
import type { Meta } from './meta.js';
import { visaKey } from './visa.js';

/** A public key that can encrypt (RSA). */
export type EncryptKey = PublicKey & { readonly encrypt: (plaintext: Uint8Array) => Uint8Array };

const canEncrypt = (key: PublicKey | undefined): key is EncryptKey => typeof key?.encrypt === 'function';

function sameKey(a: VerifyKey, b: VerifyKey): boolean {
  if (a.algorithm !== b.algorithm || a.keyData.length !== b.keyData.length) return false;
  return a.keyData.every((byte, i) => byte === b.keyData[i]);
}

/**
 * The key to encrypt message keys for a user (wire spec §3.6): the visa `key` if it can encrypt,
 * else the meta key if it is RSA. Pass only a visa that `verifyDocument` accepted for this meta.
 * Throws DimError `visa.missing` when neither can encrypt (an ECC meta without an RSA visa key),
 * or `document.invalid` when the visa key does not parse.
 */
export function encryptionKeyFor(meta: Meta, visa?: Document, backend: CryptoBackend = jsBackend): EncryptKey {
  const fromVisa = visa === undefined ? undefined : visaKey(visa, backend);
  if (canEncrypt(fromVisa)) return fromVisa;
  if (canEncrypt(meta.key)) return meta.key;
  throw new DimError('visa.missing', 'no encryption key: the meta key cannot encrypt and no visa RSA key is known');
}

/**
 * The keys that may have signed a user's messages, in order (wire spec §3.6): the visa `key`,
 * then the meta key; the first that verifies wins. A visa key that does not parse is left out:
 * the meta key alone still authenticates the sender. Pass only a verified visa.
 */
export function verificationKeysFor(meta: Meta, visa?: Document, backend: CryptoBackend = jsBackend): VerifyKey[] {
  let fromVisa: PublicKey | undefined;
  try {
    fromVisa = visa === undefined ? undefined : visaKey(visa, backend);
  } catch (err) {
    if (!(err instanceof DimError)) throw err;
  }
  return fromVisa === undefined || sameKey(fromVisa, meta.key) ? [meta.key] : [fromVisa, meta.key];
}
