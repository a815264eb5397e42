import { DimError } from '@dimkit/protocol';
import type { FileContent } from '@dimkit/protocol/content';
import {
  generateSymmetricKey,
  parseSymmetricKey,
  type CryptoBackend,
  type SymmetricKey,
} from '@dimkit/protocol/crypto';
import { decodeBase64, encodeBase64, type JsonObject } from '@dimkit/protocol/encoding';

/** A file encrypted for upload: the ciphertext, and the key and IV that go into the file content. */
export interface EncryptedFile {
  readonly ciphertext: Uint8Array;
  /** The key dict (`{algorithm: "AES", data}`) for the content's `key` (and `password`, written by compat). */
  readonly key: JsonObject;
  /** Base64 IV for the content's `IV`. */
  readonly iv: string;
}

/**
 * Encrypts file bytes as the current reference app does (wire spec §5.1): a fresh AES-256 key per file (never
 * the message key, so that forwarding the content leaks no conversation key), AES-256-CBC-PKCS7 with a random
 * IV that travels in the content as `IV`.
 */
export function encryptFile(data: Uint8Array, backend?: CryptoBackend): EncryptedFile {
  if (!(data instanceof Uint8Array)) throw new TypeError('encryptFile: expected a Uint8Array');
  const key: SymmetricKey = generateSymmetricKey(backend);
  const { ciphertext, iv } = key.encrypt(data);
  return { ciphertext, key: key.dict as JsonObject, iv: encodeBase64(iv!) };
}

/**
 * Decrypts downloaded bytes with the content's key (wire spec §5.1): `key` (or legacy `password`, which the
 * compat read filter already moved to `key`); the IV from the content's `IV`, else the key dict's `iv`, else
 * zero. A `{"algorithm":"PLAIN"}` key means "not encrypted". Throws DimError `key.missing` when the content has
 * no key, `key.*` for a bad key, `crypto.decrypt` when the bytes do not decrypt.
 */
export function decryptFile(ciphertext: Uint8Array, content: FileContent, backend?: CryptoBackend): Uint8Array {
  const dict = content.key;
  if (dict === undefined) {
    // Older Python clients used the message key then (§5.1); the content alone cannot tell which it was.
    throw new DimError('key.missing', 'the file content has no `key`/`password` to decrypt the download');
  }
  const key = parseSymmetricKey(dict, backend);
  if (key.algorithm === 'PLAIN') return ciphertext;
  let iv: Uint8Array | undefined;
  if (typeof content.IV === 'string' && content.IV !== '') {
    iv = decodeBase64(content.IV);
    if (iv.length !== 16) throw new DimError('content.format', `file content: IV of ${iv.length} bytes (expected 16)`);
  }
  return key.decrypt(ciphertext, iv);
}
