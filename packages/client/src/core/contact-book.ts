import { isDimError } from '@dimkit/protocol';
import type { Contact } from '@dimkit/protocol/account';
import type { CryptoBackend } from '@dimkit/protocol/crypto';
import type { JsonObject } from '@dimkit/protocol/encoding';
import {
  checkMeta,
  documentTime,
  newerDocument,
  parseDocument,
  parseId,
  parseMeta,
  verifyDocument,
  withoutTerminal,
  type Document,
  type ID,
  type Meta,
} from '@dimkit/protocol/mkm';
import type { ClientStore, ContactRecord } from './client-store.js';
import { nowSeconds } from './_records.js';

/** A document signed further in the future than this is refused (the station's rule, station spec §2.2). */
export const MAX_DOCUMENT_CLOCK_SKEW = 30 * 60;
/** Contacts kept parsed in memory (the store has them all). */
const CACHE_SIZE = 1000;

export interface ContactUpdate {
  readonly contact: Contact;
  /** True when the store changed: a new entity, or a newer document. */
  readonly changed: boolean;
}

function documentFits(id: ID, doc: Document): boolean {
  if (doc.type === 'profile') return true;
  if (id.isGroup) return doc.type === 'bulletin';
  return doc.type === 'visa';
}

/**
 * The metas and documents of other entities (users, stations, groups), validated before they
 * are kept (wire spec §3.4, §3.6): a meta must match its ID, a document must verify with that
 * meta and be signed no later than 30 minutes from now; the newest document wins (`time`).
 * A meta, once known, is never replaced: an ID has one meta.
 */
export class ContactBook {
  readonly #store: ClientStore;
  readonly #backend: CryptoBackend | undefined;
  readonly #cache = new Map<string, Contact>();

  constructor(store: ClientStore, backend?: CryptoBackend) {
    this.#store = store;
    this.#backend = backend;
  }

  #remember(contact: Contact): void {
    this.#cache.delete(contact.id.text);
    if (this.#cache.size >= CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(contact.id.text, contact);
  }

  /** The known contact, from memory or the store; undefined when unknown. */
  async get(id: string): Promise<Contact | undefined> {
    const key = this.#key(id);
    if (key === undefined) return undefined;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const record = await this.#store.getContact(key);
    if (record === undefined) return undefined;
    const contact = this.#fromRecord(record);
    if (contact !== undefined) this.#remember(contact);
    return contact;
  }

  /** The stored record (with `documentTime`, for `last_time` queries). */
  async record(id: string): Promise<ContactRecord | undefined> {
    const key = this.#key(id);
    return key === undefined ? undefined : this.#store.getContact(key);
  }

  /** The ID the meta and documents belong to (no terminal), or undefined for a bad ID. */
  #key(id: string): string | undefined {
    try {
      return withoutTerminal(parseId(id)).text;
    } catch (error) {
      if (isDimError(error)) return undefined;
      throw error;
    }
  }

  #fromRecord(record: ContactRecord): Contact | undefined {
    // Records were validated before they were stored; a record that no longer parses (a store
    // edited by hand) is treated as unknown, so it is fetched again.
    try {
      const id = parseId(record.id);
      const meta = parseMeta(record.meta, this.#backend);
      checkMeta(meta, id);
      const doc = record.document === undefined ? undefined : parseDocument(record.document);
      const visa = doc !== undefined && verifyDocument(doc, meta) ? doc : undefined;
      return Object.freeze({ id, meta, visa });
    } catch (error) {
      if (isDimError(error)) return undefined;
      throw error;
    }
  }

  /**
   * Takes what the network says about `id`: a meta (used only if none is known yet, and only if
   * it matches the ID) and documents (each kept only if it belongs to `id`, verifies with the
   * meta, and is newer than the one known). Never throws on bad data: returns undefined when no
   * meta is known or valid, else the contact and whether anything changed.
   */
  async accept(id: string, meta: unknown, documents: readonly unknown[] = []): Promise<ContactUpdate | undefined> {
    const key = this.#key(id);
    if (key === undefined) return undefined;
    const subject = parseId(key);
    const known = await this.get(key);
    let trusted: Meta | undefined = known?.meta;
    let changed = false;
    if (trusted === undefined) {
      if (meta === undefined || meta === null) return undefined;
      try {
        const parsed = parseMeta(meta, this.#backend);
        checkMeta(parsed, subject);
        trusted = parsed;
        changed = true;
      } catch (error) {
        if (isDimError(error)) return undefined;
        throw error;
      }
    }
    let best = known?.visa;
    const latest = nowSeconds() + MAX_DOCUMENT_CLOCK_SKEW;
    for (const input of documents) {
      let doc: Document;
      try {
        doc = parseDocument(input);
      } catch (error) {
        if (isDimError(error)) continue;
        throw error;
      }
      if (withoutTerminal(doc.did).text !== key || !documentFits(subject, doc)) continue;
      const time = documentTime(doc);
      if (time !== undefined && time > latest) continue;
      if (!verifyDocument(doc, trusted)) continue;
      const newer = newerDocument(best, doc);
      if (newer !== best) {
        best = newer;
        changed = true;
      }
    }
    const contact: Contact = Object.freeze({ id: subject, meta: trusted, visa: best });
    if (changed) {
      const time = best === undefined ? undefined : documentTime(best);
      const record: ContactRecord = {
        id: key,
        meta: trusted.dict as JsonObject,
        ...(best === undefined ? {} : { document: best.dict as JsonObject }),
        ...(time === undefined ? {} : { documentTime: time }),
        updatedAt: nowSeconds(),
      };
      await this.#store.putContact(record);
    }
    this.#remember(contact);
    return { contact, changed };
  }
}
