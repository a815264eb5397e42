import type { PrivateKey, PublicKey, SymmetricKey } from '../crypto/types.js';
import { encodeBase64 } from '../encoding/base64.js';

/** How long a message key is reused for one direction: 7 days, as the reference app. */
export const KEY_REUSE_SECONDS = 7 * 24 * 3600;
const MAX_WRAPPED_ENTRIES = 10_000;

interface CachedKey {
  readonly key: SymmetricKey;
  readonly since: number;
}

/**
 * Message keys per direction (wire spec §4.7), and memos of RSA key wrapping. A wrapped key is
 * the same plaintext under the same public key, so reusing its ciphertext reveals nothing new:
 * a sealer encrypts a reused key once per receiver key, and an opener decrypts each distinct
 * `key` value once. Never used for broadcast destinations.
 */
export class CipherKeyCache {
  readonly #directions = new Map<string, CachedKey>();
  readonly #wrapped = new WeakMap<SymmetricKey, WeakMap<PublicKey, string>>();
  readonly #unwrapped = new WeakMap<PrivateKey, Map<string, SymmetricKey>>();
  readonly #reuseSeconds: number;

  constructor(options: { reuseSeconds?: number } = {}) {
    this.#reuseSeconds = options.reuseSeconds ?? KEY_REUSE_SECONDS;
  }

  /** The key last used or received for this direction, if still fresh. */
  get(sender: string, destination: string, now = Date.now() / 1000): SymmetricKey | undefined {
    const entry = this.#directions.get(`${sender}\n${destination}`);
    if (entry === undefined) return undefined;
    if (now - entry.since > this.#reuseSeconds) {
      this.#directions.delete(`${sender}\n${destination}`);
      return undefined;
    }
    return entry.key;
  }

  set(sender: string, destination: string, key: SymmetricKey, now = Date.now() / 1000): void {
    const name = `${sender}\n${destination}`;
    const entry = this.#directions.get(name);
    if (entry?.key === key) return;
    this.#directions.set(name, { key, since: now });
  }

  /** Base64 of `key.dict` encrypted for `receiverKey`, encrypting at most once per pair. */
  wrap(key: SymmetricKey, receiverKey: PublicKey, encryptKeyDict: () => Uint8Array): string {
    let byReceiver = this.#wrapped.get(key);
    if (byReceiver === undefined) {
      byReceiver = new WeakMap();
      this.#wrapped.set(key, byReceiver);
    }
    let wrapped = byReceiver.get(receiverKey);
    if (wrapped === undefined) {
      wrapped = encodeBase64(encryptKeyDict());
      byReceiver.set(receiverKey, wrapped);
    }
    return wrapped;
  }

  /** The symmetric key inside `wrapped` (Base64) for `privateKey`, decrypting at most once. */
  unwrap(wrapped: string, privateKey: PrivateKey, decrypt: () => SymmetricKey): SymmetricKey {
    let byWrapped = this.#unwrapped.get(privateKey);
    if (byWrapped === undefined) {
      byWrapped = new Map();
      this.#unwrapped.set(privateKey, byWrapped);
    }
    let key = byWrapped.get(wrapped);
    if (key === undefined) {
      key = decrypt();
      if (byWrapped.size >= MAX_WRAPPED_ENTRIES) byWrapped.clear();
      byWrapped.set(wrapped, key);
    }
    return key;
  }
}
