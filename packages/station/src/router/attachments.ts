import { isDimError } from '@dimkit/protocol';
import type { CryptoBackend } from '@dimkit/protocol/crypto';
import type { ReliableMessage } from '@dimkit/protocol/dkd';
import {
  checkMeta,
  documentTime,
  documentToDict,
  metaToDict,
  parseDocument,
  parseMeta,
  verifyDocument,
  withoutTerminal,
  type Document,
  type ID,
  type Meta,
} from '@dimkit/protocol/mkm';
import type { Store } from '../store/index.js';
import type { ContactCache } from './contacts.js';
import type { RefusalReason } from './metrics.js';

/** A document dated further ahead than this is not stored (station spec §2.2 step 2: 30 minutes). */
export const MAX_FUTURE_SECONDS = 30 * 60;

/** `{ok: true}`, or why the message must be refused. */
export type LearnResult = { readonly ok: true } | { readonly ok: false; readonly reason: RefusalReason };

export interface LearnDeps {
  readonly store: Store;
  readonly contacts: ContactCache;
  readonly backend?: CryptoBackend | undefined;
  /** Seconds since 1970. */
  readonly now: () => number;
}

const OK: LearnResult = Object.freeze({ ok: true });

/**
 * Checks and stores the `meta` and `visa` a sender attached to its message (first handshake, first contact;
 * station spec §2.2 step 2, wire spec §4.5 step 2). Unlike a client, which may ignore a bad attachment, the
 * station refuses the message: a meta that is invalid or does not match the sender (`meta.invalid`,
 * `meta.mismatch`), a visa that does not parse or is someone else's (`document.invalid`), or one that does not
 * verify with the sender's meta (`document.signature`). A valid meta is stored if none was (the first is kept);
 * a valid visa is stored if it is newer than the stored one and not dated more than 30 minutes ahead.
 */
export async function learnAttachments(message: ReliableMessage, sender: ID, deps: LearnDeps): Promise<LearnResult> {
  const owner = withoutTerminal(sender).text;
  // Clients attach the same meta and visa to every first handshake (station spec §2.2 step 2): what the cache
  // holds was verified when it was stored, so an identical visa is neither verified nor written again.
  const known = await deps.contacts.get(owner);
  let meta: Meta | undefined;
  if (message.meta !== undefined && message.meta !== null) {
    try {
      meta = parseMeta(message.meta, deps.backend);
    } catch (error) {
      if (!isDimError(error)) throw error;
      return { ok: false, reason: 'meta.invalid' };
    }
    try {
      checkMeta(meta, sender);
    } catch (error) {
      if (!isDimError(error)) throw error;
      return { ok: false, reason: 'meta.mismatch' };
    }
    // The first meta stored is kept: with one known, the write would change nothing.
    if (known === undefined && (await deps.store.metas.put(owner, metaToDict(meta)))) deps.contacts.forget(owner);
  }
  if (message.visa === undefined || message.visa === null) return OK;
  let visa: Document;
  try {
    visa = parseDocument(message.visa);
  } catch (error) {
    if (!isDimError(error)) throw error;
    return { ok: false, reason: 'document.invalid' };
  }
  if (withoutTerminal(visa.did).text !== owner) return { ok: false, reason: 'document.invalid' };
  if (known?.document !== undefined && sameDocument(known.document, visa)) return OK;
  const verifier = meta ?? known?.meta;
  // Without a meta the visa cannot be checked; the message then fails verification on its own (meta.missing).
  if (verifier === undefined) return OK;
  if (!verifyDocument(visa, verifier)) return { ok: false, reason: 'document.signature' };
  await storeDocument(owner, visa, deps);
  return OK;
}

/** The same signed text under the same signature (so the same verification result) and type. */
function sameDocument(a: Document, b: Document): boolean {
  if (a.type !== b.type || a.data !== b.data || a.signature.length !== b.signature.length) return false;
  for (let i = 0; i < a.signature.length; i++) if (a.signature[i] !== b.signature[i]) return false;
  return true;
}

/**
 * Stores a verified document under `owner` unless it is dated more than MAX_FUTURE_SECONDS ahead; newer
 * replaces older (the store decides). Answers the store's verdict, or 'future' for a document from the future.
 */
export async function storeDocument(
  owner: string,
  doc: Document,
  deps: LearnDeps,
): Promise<'stored' | 'older' | 'unchanged' | 'future'> {
  const time = documentTime(doc) ?? 0;
  if (time > deps.now() + MAX_FUTURE_SECONDS) return 'future';
  const result = await deps.store.documents.put(owner, doc.type, documentToDict(doc), time);
  if (result === 'stored') deps.contacts.forget(owner);
  return result;
}
