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
  /** sender → destination → key (nested, so a lookup builds no combined string). */
  readonly #directions = new Map<string, Map<string, CachedKey>>();
  readonly #wrapped = new WeakMap<SymmetricKey, WeakMap<PublicKey, string>>();
  readonly #unwrapped = new WeakMap<PrivateKey, Map<string, SymmetricKey>>();
  readonly #reuseSeconds: number;

  constructor(options: { reuseSeconds?: number } = {}) {
    this.#reuseSeconds = options.reuseSeconds ?? KEY_REUSE_SECONDS;
  }

  /** The key last used or received for this direction, if still fresh. */
  get(sender: string, destination: string, now = Date.now() / 1000): SymmetricKey | undefined {
    const bySender = this.#directions.get(sender);
    const entry = bySender?.get(destination);
    if (entry === undefined) return undefined;
    if (now - entry.since > this.#reuseSeconds) {
      bySender!.delete(destination);
      if (bySender!.size === 0) this.#directions.delete(sender);
      return undefined;
    }
    return entry.key;
  }

  /** Records `key` for this direction; setting the key it already holds keeps its age. */
  set(sender: string, destination: string, key: SymmetricKey, now?: number): void {
    let bySender = this.#directions.get(sender);
    if (bySender === undefined) {
      bySender = new Map();
      this.#directions.set(sender, bySender);
    }
    // Opening a message of a reused key lands here every time: a lookup, no clock read.
    if (bySender.get(destination)?.key === key) return;
    bySender.set(destination, { key, since: now ?? Date.now() / 1000 });
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
    let key = this.unwrapped(wrapped, privateKey);
    if (key === undefined) {
      key = decrypt();
      this.remember(wrapped, privateKey, key);
    }
    return key;
  }

  /** The key `privateKey` found in `wrapped` before, if any. */
  unwrapped(wrapped: string, privateKey: PrivateKey): SymmetricKey | undefined {
    return this.#unwrapped.get(privateKey)?.get(wrapped);
  }

  /** Records that `wrapped` (Base64) holds `key` for `privateKey`. */
  remember(wrapped: string, privateKey: PrivateKey, key: SymmetricKey): void {
    let byWrapped = this.#unwrapped.get(privateKey);
    if (byWrapped === undefined) {
      byWrapped = new Map();
      this.#unwrapped.set(privateKey, byWrapped);
    }
    if (byWrapped.size >= MAX_WRAPPED_ENTRIES) byWrapped.clear();
    byWrapped.set(wrapped, key);
  }
}
