import { isDimError } from '@dimkit/protocol';
import { createDocumentsCommand, type Content, type DocumentsCommand } from '@dimkit/protocol/content';
import {
  parseDocument,
  parseId,
  verifyDocument,
  withoutTerminal,
  type Document,
  type Meta,
} from '@dimkit/protocol/mkm';
import { storeDocument } from './attachments.js';
import type { CommandContext } from './command-context.js';
import { acceptMeta } from './meta-command.js';
import { ReceiptText, createIdReceipt, createReceipt } from './receipt.js';

/**
 * `documents` command to the station (station spec §4 item 2, wire spec §6.2), in any of its spellings (the
 * compat read filter turned `document`/`profile` into `documents`).
 *
 * Query (no documents): every stored document of the subject with its meta, sent back in the legacy shape
 * deployed clients expect (the compat write filter makes it `cmd: "document"` with the newest as `document`);
 * "Document not updated." when nothing is newer than `last_time`; "Document not found." when nothing is stored.
 *
 * Upload: the meta comes from the command (checked and stored first: "Meta not valid." / "Meta not accepted.")
 * or from the store ("Meta not found."); each document must belong to the subject and verify with the meta
 * key ("Document not accepted.", counted as a refusal), must not be dated more than 30 minutes ahead, and is
 * kept only if newer than the stored one ("Document not changed."). All kept: "Document received.".
 */
export async function processDocumentsCommand(ctx: CommandContext, content: DocumentsCommand): Promise<Content[]> {
  const did = parseId(content.did);
  const subject = withoutTerminal(did).text;
  const sn = content.sn;
  const receipt = (text: string, template: string) => createIdReceipt(text, ctx.message, template, did.text, sn);

  if (content.documents === undefined) {
    const stored = await ctx.store.documents.list(subject);
    if (stored.length === 0) return [receipt(ReceiptText.DOCUMENT_NOT_FOUND, 'Document not found: ${did}.')];
    const newest = Math.max(...stored.map((doc) => doc.time));
    const lastTime = content.last_time;
    if (lastTime !== undefined && !(newest > lastTime)) {
      return [
        createReceipt(ReceiptText.DOCUMENT_NOT_UPDATED, ctx.message, {
          template: 'Document not updated: ${did}, last time: ${time}.',
          replacements: { did: did.text, time: newest },
          sn,
        }),
      ];
    }
    const meta = await ctx.store.metas.get(subject);
    // Oldest first: the write filter puts the newest (the last on a tie) into the legacy `document` field.
    const documents = stored.map((doc) => doc.document).reverse();
    return [createDocumentsCommand({ did: did.text, documents, ...(meta === undefined ? {} : { meta }) })];
  }

  let meta: Meta;
  if (content.meta !== undefined) {
    const verdict = await acceptMeta(ctx, did, content.meta);
    if (!verdict.ok) {
      const template =
        verdict.text === ReceiptText.META_NOT_VALID ? 'Meta not valid: ${did}.' : 'Meta not accepted: ${did}.';
      return [receipt(verdict.text, template)];
    }
    meta = verdict.meta;
  } else {
    const known = await ctx.contacts.get(subject);
    if (known === undefined) return [receipt(ReceiptText.META_NOT_FOUND, 'Meta not found: ${did}.')];
    meta = known.meta;
  }

  const errors: Content[] = [];
  for (const json of content.documents) {
    let doc: Document;
    try {
      doc = parseDocument(json);
    } catch (error) {
      if (!isDimError(error)) throw error;
      ctx.refused('document.invalid');
      errors.push(receipt(ReceiptText.DOCUMENT_NOT_ACCEPTED, 'Document not accepted: ${did}.'));
      continue;
    }
    if (withoutTerminal(doc.did).text !== subject || !verifyDocument(doc, meta)) {
      ctx.refused(withoutTerminal(doc.did).text !== subject ? 'document.invalid' : 'document.signature');
      errors.push(receipt(ReceiptText.DOCUMENT_NOT_ACCEPTED, 'Document not accepted: ${did}.'));
      continue;
    }
    const result = await storeDocument(subject, doc, ctx);
    if (result === 'future') {
      errors.push(receipt(ReceiptText.DOCUMENT_NOT_ACCEPTED, 'Document not accepted: ${did}.'));
    } else if (result !== 'stored') {
      errors.push(receipt(ReceiptText.DOCUMENT_NOT_CHANGED, 'Document not changed: ${did}.'));
    }
  }
  if (errors.length > 0) return errors;
  return [receipt(ReceiptText.DOCUMENT_RECEIVED, 'Document received: ${did}.')];
}
