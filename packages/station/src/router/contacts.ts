import type { CryptoBackend, VerifyKey } from '@dimkit/protocol/crypto';
import { isDimError } from '@dimkit/protocol';
import {
  encryptionKeyFor,
  parseDocument,
  parseMeta,
  verificationKeysFor,
  verifyDocument,
  type Document,
  type EncryptKey,
  type Meta,
} from '@dimkit/protocol/mkm';
import type { Store } from '../store/index.js';

/** What the station knows of a user (or bot, station, group): enough to verify it and to encrypt for it. */
export interface KnownEntity {
  readonly meta: Meta;
  /** The newest stored visa (users) or bulletin (groups), if any. */
  readonly document: Document | undefined;
  /** Keys its messages may be signed with (wire spec §3.6: visa key, then meta key). */
  readonly verifyKeys: readonly VerifyKey[];
  /** The key to encrypt message keys for it; undefined when neither visa nor meta key can encrypt. */
  readonly encryptKey: EncryptKey | undefined;
}

/** Default number of entities kept parsed. */
export const CONTACT_CACHE_SIZE = 4096;

/**
 * Parsed metas and documents from the store, kept in memory (least recently used dropped first), because
 * every reply and every message to the station needs them and parsing RSA keys is not free. Entries are
 * dropped with `forget` when a newer document is stored. IDs are the store's keys (no terminal).
 */
export class ContactCache {
  readonly #store: Store;
  readonly #backend: CryptoBackend | undefined;
  readonly #max: number;
  readonly #entries = new Map<string, KnownEntity>();
  /** Bumped by every `forget`, so a read that overlapped one is not cached (it may predate the change). */
  #epoch = 0;

  constructor(store: Store, options: { backend?: CryptoBackend; maxEntries?: number } = {}) {
    this.#store = store;
    this.#backend = options.backend;
    this.#max = options.maxEntries ?? CONTACT_CACHE_SIZE;
  }

  /** The entity `id` if it is in memory (marked recently used), else undefined: no store read. */
  cached(id: string): KnownEntity | undefined {
    const known = this.#entries.get(id);
    if (known !== undefined) {
      this.#entries.delete(id);
      this.#entries.set(id, known);
    }
    return known;
  }

  /** The entity `id` as stored, or undefined if no valid meta is stored for it. */
  async get(id: string): Promise<KnownEntity | undefined> {
    const known = this.cached(id);
    if (known !== undefined) return known;
    const epoch = this.#epoch;
    const [metaJson, stored] = await Promise.all([this.#store.metas.get(id), this.#store.documents.get(id)]);
    if (metaJson === undefined) return undefined;
    let meta: Meta;
    try {
      meta = parseMeta(metaJson, this.#backend);
    } catch (error) {
      if (!isDimError(error)) throw error;
      return undefined;
    }
    let document: Document | undefined;
    if (stored !== undefined) {
      try {
        const doc = parseDocument(stored.document);
        if (verifyDocument(doc, meta)) document = doc;
      } catch (error) {
        if (!isDimError(error)) throw error;
      }
    }
    let encryptKey: EncryptKey | undefined;
    try {
      encryptKey = encryptionKeyFor(meta, document, this.#backend);
    } catch (error) {
      if (!isDimError(error)) throw error;
    }
    const entity: KnownEntity = Object.freeze({
      meta,
      document,
      verifyKeys: verificationKeysFor(meta, document, this.#backend),
      encryptKey,
    });
    if (epoch === this.#epoch) {
      if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(id, entity);
    }
    return entity;
  }

  /** Drops what is kept for `id` (its meta or documents changed). */
  forget(id: string): void {
    this.#epoch++;
    this.#entries.delete(id);
  }
}
