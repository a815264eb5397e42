import { contentFromWire, keyFromWire } from '../compat/index.js';
import { parseContent } from '../content/index.js';
import { jsBackend, parseSymmetricKey } from '../crypto/index.js';
import type { CryptoBackend, PrivateKey, SymmetricKey, VerifyKey } from '../crypto/types.js';
import { decodeBase64 } from '../encoding/base64.js';
import { parseJsonObject, type JsonObject } from '../encoding/json.js';
import { decodeTed } from '../encoding/ted.js';
import { decodeUtf8, encodeUtf8 } from '../encoding/utf8.js';
import { DimError, isDimError } from '../errors.js';
import { parseId } from '../mkm/index.js';
import { destinationFor, isBroadcastMessage } from './destination.js';
import type { CipherKeyCache } from './key-cache.js';
import { IV_GUARD } from './seal.js';
import { SEALED_FIELDS, type InstantMessage, type ReliableMessage } from './message.js';

export interface OpenOptions {
  /** The reader's ID (the receiver, or a member of the receiving group). */
  readonly me: string;
  /** The reader's private keys that may unwrap message keys: visa key first, then the meta key. */
  readonly decryptKeys: readonly PrivateKey[];
  /** The sender's verification keys (visa key if it can verify, then the meta key; §3.6). */
  readonly verifyKeys: readonly VerifyKey[];
  /** Per-direction keys, for messages that omit `key` (§4.7). */
  readonly keyCache?: CipherKeyCache;
  readonly backend?: CryptoBackend;
}

/** The bytes a message's signature covers (wire spec §11 item 1). */
export function signedBytes(message: ReliableMessage): Uint8Array {
  return isBroadcastMessage(message.receiver, message.group) ? encodeUtf8(message.data) : decodeTed(message.data);
}

/** True when one of `keys` verifies the message signature; never throws on malformed input. */
export function verifyMessage(message: ReliableMessage, keys: readonly VerifyKey[]): boolean {
  let data: Uint8Array;
  let signature: Uint8Array;
  try {
    data = signedBytes(message);
    signature = decodeTed(message.signature);
  } catch {
    return false;
  }
  return keys.some((key) => key.verify(data, signature));
}

function wrappedKeyFor(message: ReliableMessage, me: string): string | undefined {
  if (message.key !== undefined) return message.key;
  return message.keys?.[message.receiver] ?? message.keys?.[me];
}

function unwrapKey(wrapped: string, options: OpenOptions, backend: CryptoBackend): SymmetricKey {
  const ciphertext = decodeBase64(wrapped);
  for (const privateKey of options.decryptKeys) {
    const decrypt = privateKey.decrypt;
    if (decrypt === undefined) continue;
    const open = (): SymmetricKey =>
      parseSymmetricKey(keyFromWire(parseJsonObject(decodeUtf8(decrypt(ciphertext)), 'message key')), backend);
    try {
      return options.keyCache === undefined ? open() : options.keyCache.unwrap(wrapped, privateKey, open);
    } catch (error) {
      if (!isDimError(error)) throw error;
    }
  }
  throw new DimError('crypto.decrypt', 'none of my private keys opens the message key');
}

/** Leading whitespace is only ever IV_GUARD (reference senders write none): see seal.ts. */
function checkIvGuard(text: string): string {
  const first = text.charCodeAt(0);
  if (first === 0x20 || first === 0x09 || first === 0x0a || first === 0x0d) {
    if (!text.startsWith(IV_GUARD) || text.charCodeAt(IV_GUARD.length) !== 0x7b) {
      throw new DimError('crypto.decrypt', 'the first block of the content was altered (IV tampered?)');
    }
  }
  return text;
}

function checkReceiver(message: ReliableMessage, me: string): void {
  if (message.receiver === me) return;
  if (parseId(message.receiver).isGroup && message.keys?.[me] !== undefined) return;
  throw new DimError('message.receiver', `message for ${message.receiver} is not for ${me}`);
}

/**
 * Verifies, decrypts and parses a reliable message (wire spec §4.5). The signature is checked
 * first, over the exact bytes sent; the message key comes from `key`, else `keys[receiver]`,
 * else `keys[me]`, else the cached key of the direction. Returns the instant message (all other
 * fields kept). Throws DimError: 'signature.invalid', 'message.receiver', 'key.missing',
 * 'crypto.decrypt', 'encoding.*', 'content.format' — never returns a wrong content.
 */
export function openMessage(message: ReliableMessage, options: OpenOptions): InstantMessage {
  const backend = options.backend ?? jsBackend;
  if (!verifyMessage(message, options.verifyKeys)) {
    throw new DimError('signature.invalid', `signature of the message from ${message.sender} does not verify`);
  }
  let contentJson: JsonObject;
  if (isBroadcastMessage(message.receiver, message.group)) {
    contentJson = parseJsonObject(message.data, 'content');
  } else {
    checkReceiver(message, options.me);
    const destination = destinationFor(message.receiver, message.group);
    const wrapped = wrappedKeyFor(message, options.me);
    let key: SymmetricKey | undefined;
    if (wrapped !== undefined) {
      key = unwrapKey(wrapped, options, backend);
      options.keyCache?.set(message.sender, destination, key);
    } else {
      key = options.keyCache?.get(message.sender, destination);
      if (key === undefined)
        throw new DimError('key.missing', `no message key from ${message.sender} for ${destination}`);
    }
    const iv = message.IV === undefined ? undefined : decodeBase64(message.IV);
    const plaintext = key.decrypt(decodeTed(message.data), iv);
    contentJson = parseJsonObject(checkIvGuard(decodeUtf8(plaintext)), 'content');
  }
  const content = parseContent(contentFromWire(contentJson));
  const instant: Record<string, unknown> = { ...message };
  for (const field of SEALED_FIELDS) delete instant[field];
  instant['content'] = content;
  return instant as InstantMessage;
}
