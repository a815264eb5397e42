import { isDimError } from '@dimkit/protocol';
import { createMetaCommand, type Content, type MetaCommand } from '@dimkit/protocol/content';
import type { JsonObject } from '@dimkit/protocol/encoding';
import {
  metaMatchesId,
  metaToDict,
  parseId,
  parseMeta,
  withoutTerminal,
  type ID,
  type Meta,
} from '@dimkit/protocol/mkm';
import type { CommandContext } from './command-context.js';
import { ReceiptText, createIdReceipt } from './receipt.js';

/** A meta accepted for an ID, or the reference's receipt text for why not. */
export type MetaVerdict =
  | { readonly ok: true; readonly meta: Meta }
  | { readonly ok: false; readonly text: typeof ReceiptText.META_NOT_VALID | typeof ReceiptText.META_NOT_ACCEPTED };

function sameMeta(a: Meta, b: Meta): boolean {
  if (a.type !== b.type || a.key.keyData.length !== b.key.keyData.length) return false;
  return a.key.keyData.every((byte, i) => byte === b.key.keyData[i]);
}

/**
 * Checks `json` as the meta of `did` and stores it (station spec §4 item 1, §2.2: the address must derive from
 * the meta key; the first valid meta is kept forever). "Meta not valid." for a meta that does not parse or
 * does not match; "Meta not accepted." when another meta is stored for the ID already.
 */
export async function acceptMeta(ctx: CommandContext, did: ID, json: JsonObject): Promise<MetaVerdict> {
  let meta: Meta;
  try {
    meta = parseMeta(json, ctx.backend);
  } catch (error) {
    if (!isDimError(error)) throw error;
    ctx.refused('meta.invalid');
    return { ok: false, text: ReceiptText.META_NOT_VALID };
  }
  if (did.isBroadcast || !metaMatchesId(meta, did)) {
    ctx.refused('meta.mismatch');
    return { ok: false, text: ReceiptText.META_NOT_VALID };
  }
  const subject = withoutTerminal(did).text;
  if (await ctx.store.metas.put(subject, metaToDict(meta))) {
    ctx.contacts.forget(subject);
    return { ok: true, meta };
  }
  const stored = (await ctx.contacts.get(subject))?.meta;
  if (stored !== undefined && sameMeta(stored, meta)) return { ok: true, meta: stored };
  ctx.refused('meta.mismatch');
  return { ok: false, text: ReceiptText.META_NOT_ACCEPTED };
}

/**
 * `meta` command to the station (station spec §4 item 1, wire spec §6.1): without `meta` a query, answered
 * with a meta command `{did, meta}` or "Meta not found."; with `meta` an upload, answered "Meta received.",
 * "Meta not valid." or "Meta not accepted." (templates as the reference writes them).
 */
export async function processMetaCommand(ctx: CommandContext, content: MetaCommand): Promise<Content[]> {
  const did = parseId(content.did);
  const subject = withoutTerminal(did).text;
  if (content.meta === undefined) {
    const stored = await ctx.store.metas.get(subject);
    if (stored === undefined) {
      return [
        createIdReceipt(ReceiptText.META_NOT_FOUND, ctx.message, 'Meta not found: ${did}.', did.text, content.sn),
      ];
    }
    return [createMetaCommand({ did: did.text, meta: stored })];
  }
  const verdict = await acceptMeta(ctx, did, content.meta);
  if (!verdict.ok) {
    const template =
      verdict.text === ReceiptText.META_NOT_VALID ? 'Meta not valid: ${did}.' : 'Meta not accepted: ${did}.';
    return [createIdReceipt(verdict.text, ctx.message, template, did.text, content.sn)];
  }
  return [createIdReceipt(ReceiptText.META_RECEIVED, ctx.message, 'Meta received: ${did}.', did.text, content.sn)];
}
