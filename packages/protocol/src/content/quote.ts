import type { JsonObject } from '../encoding/json.js';
import { checkId, checkInteger, checkObject, checkString, type Check } from './_check.js';
import { createContent, requireArgString, type Content, type ContentOptions } from './content.js';
import { ContentType, MAX_CONTENT_TYPE } from './content-type.js';
import { MAX_SERIAL_NUMBER } from './serial-number.js';

/** What a quote points at (§5): the quoted message's envelope and content `type`/`sn`. */
export interface QuoteOrigin {
  readonly sender: string;
  /** The group ID when the quoted message was in a group, else its receiver. */
  readonly receiver: string;
  readonly type: number;
  readonly sn: number;
}

/**
 * Quote (type 0x37, wire spec §5): a reply `text` and the `origin` it quotes. (JS v2.0 writes
 * these with type `"receipt"`; the compat filter reads that as 0x37. dimkit writes 0x37.)
 */
export type QuoteContent = Content & {
  readonly type: typeof ContentType.QUOTE;
  readonly text: string;
  readonly origin: JsonObject;
};

export function createQuoteContent(text: string, origin: QuoteOrigin, options: ContentOptions = {}): QuoteContent {
  requireArgString(text, 'text');
  const { sender, receiver, type, sn } = origin;
  requireArgString(sender, 'origin.sender');
  requireArgString(receiver, 'origin.receiver');
  return createContent(ContentType.QUOTE, { text, origin: { sender, receiver, type, sn } }, options) as QuoteContent;
}

export function isQuoteContent(content: Content): content is QuoteContent {
  return content.type === ContentType.QUOTE;
}

export function checkQuote(ck: Check, json: JsonObject): void {
  checkString(ck, json, 'text', true);
  const origin = checkObject(ck, json, 'origin', true)!;
  const inner: Check = { ...ck, what: `${ck.what} origin` };
  checkId(inner, origin, 'sender');
  checkId(inner, origin, 'receiver');
  checkInteger(inner, origin, 'type', 0, MAX_CONTENT_TYPE);
  checkInteger(inner, origin, 'sn', 0, MAX_SERIAL_NUMBER);
}
