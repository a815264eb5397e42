import { keyFromWire } from '../compat/index.js';
import { parseContent } from '../content/index.js';
import { jsBackend, parseSymmetricKey } from '../crypto/index.js';
import type { CryptoBackend, PrivateKey, SymmetricKey, VerifyKey } from '../crypto/types.js';
import { parseJsonObject, type JsonObject } from '../encoding/json.js';
import { decodeTed } from '../encoding/ted.js';
import { decodeUtf8, encodeUtf8 } from '../encoding/utf8.js';
import { DimError, isDimError } from '../errors.js';
import { parseId } from '../mkm/index.js';
import { destinationFor, isBroadcastMessage } from './destination.js';
import type { CipherKeyCache } from './key-cache.js';
import { wireBase64, wireBytes } from './_wire-bytes.js';
import { IV_GUARD } from './seal.js';
import type { InstantMessage, ReliableMessage } from './message.js';

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
  return bytesToVerify(message, isBroadcastMessage(message.receiver, message.group));
}

function bytesToVerify(message: ReliableMessage, broadcast: boolean, decode = decodeTed): Uint8Array {
  return broadcast ? encodeUtf8(message.data) : decode(message.data);
}

/** True when one of `keys` verifies the message signature; never throws on malformed input. */
export function verifyMessage(message: ReliableMessage, keys: readonly VerifyKey[]): boolean {
  return verifiedBytes(message, isBroadcastMessage(message.receiver, message.group), keys) !== undefined;
}

/**
 * The signed bytes (for an encrypted message, the ciphertext `openMessage` goes on to decrypt,
 * so `data` is decoded once) when one of `keys` verifies the signature over them; undefined for
 * a forged or malformed message.
 */
function verifiedBytes(
  message: ReliableMessage,
  broadcast: boolean,
  keys: readonly VerifyKey[],
): Uint8Array | undefined {
  let data: Uint8Array;
  let signature: Uint8Array;
  try {
    data = bytesToVerify(message, broadcast, wireBytes);
    signature = wireBytes(message.signature);
  } catch {
    return undefined;
  }
  for (const key of keys) if (key.verify(data, signature)) return data;
  return undefined;
}

function wrappedKeyFor(message: ReliableMessage, me: string): string | undefined {
  if (message.key !== undefined) return message.key;
  return message.keys?.[message.receiver] ?? message.keys?.[me];
}

function unwrapKey(wrapped: string, options: OpenOptions, backend: CryptoBackend): SymmetricKey {
  const cache = options.keyCache;
  // A reused key arrives with the same `key` text on every message (§4.7): look it up before
  // decoding anything. Only successful unwraps are cached.
  if (cache !== undefined) {
    for (const privateKey of options.decryptKeys) {
      const known = cache.unwrapped(wrapped, privateKey);
      if (known !== undefined) return known;
    }
  }
  const ciphertext = wireBase64(wrapped);
  for (const privateKey of options.decryptKeys) {
    const decrypt = privateKey.decrypt;
    if (decrypt === undefined) continue;
    try {
      const key = parseSymmetricKey(
        keyFromWire(parseJsonObject(decodeUtf8(decrypt(ciphertext)), 'message key')),
        backend,
      );
      cache?.remember(wrapped, privateKey, key);
      return key;
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
  const broadcast = isBroadcastMessage(message.receiver, message.group);
  const data = verifiedBytes(message, broadcast, options.verifyKeys);
  if (data === undefined) {
    throw new DimError('signature.invalid', `signature of the message from ${message.sender} does not verify`);
  }
  let contentJson: JsonObject;
  if (broadcast) {
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
    const iv = message.IV === undefined ? undefined : wireBase64(message.IV);
    const plaintext = key.decrypt(data, iv);
    contentJson = parseJsonObject(checkIvGuard(decodeUtf8(plaintext)), 'content');
  }
  // parseContent checks the tree first, then applies the incoming compat filter (contentFromWire) itself.
  const content = parseContent(contentJson);
  // The envelope without the sealed fields (SEALED_FIELDS); a rest copy, not `delete`, which
  // would leave a slow dictionary-mode object.
  const { data: _data, key: _key, keys: _keys, signature: _signature, IV: _iv, ...envelope } = message;
  const instant: Record<string, unknown> = envelope;
  instant['content'] = content;
  return instant as InstantMessage;
}
