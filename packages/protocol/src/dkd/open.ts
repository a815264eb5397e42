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
  if (keys.length === 1) return keys[0]!.verify(data, signature) ? data : undefined;
  // Try first the keys whose algorithm fits the signature, then the others (the result is the
  // same either way): a reference user's visa key is RSA and its meta key ECC (§3.6), so in the
  // given order each of its messages would pay a doomed RSA verification before the ECDSA one.
  const ecdsa = looksLikeEcdsa(signature);
  for (const key of keys) if ((key.algorithm === 'ECC') === ecdsa && key.verify(data, signature)) return data;
  for (const key of keys) if ((key.algorithm === 'ECC') !== ecdsa && key.verify(data, signature)) return data;
  return undefined;
}

/**
 * An ECDSA signature is DER (§2.5): a SEQUENCE (0x30) of two integers of at most 33 bytes, so at
 * most 72 bytes; an RSA signature is as long as the modulus (128 bytes and up for the keys in use).
 */
function looksLikeEcdsa(signature: Uint8Array): boolean {
  return signature.length <= 72 && signature[0] === 0x30;
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
  const instant = envelopeOf(message);
  instant['content'] = content;
  return instant as InstantMessage;
}

/**
 * The envelope: every field of the message but the sealed ones (SEALED_FIELDS), in order.
 * Copied in a loop: a rest copy (`{data, key, …, ...envelope}`) took a slow runtime path, and
 * `delete` would leave a slow dictionary-mode object.
 */
function envelopeOf(message: ReliableMessage): Record<string, unknown> {
  const fields = message as unknown as Record<string, unknown>;
  const envelope: Record<string, unknown> = {};
  for (const name in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, name)) continue;
    switch (name) {
      case 'data':
      case 'key':
      case 'keys':
      case 'signature':
      case 'IV':
        continue;
      case '__proto__':
        // a plain field, as the rest copy made it: assigning it would set the prototype
        Object.defineProperty(envelope, name, {
          value: fields[name],
          writable: true,
          enumerable: true,
          configurable: true,
        });
        continue;
    }
    envelope[name] = fields[name];
  }
  return envelope;
}
