import type { JsonObject } from '../encoding/json.js';
import { checkObject, checkString, field, type Check } from './_check.js';
import { CommandName } from './command-name.js';
import { createCommand, isCommand, type Command } from './command.js';
import type { Content, ContentOptions } from './content.js';

/**
 * Receipt command (wire spec §6.3): `text` (e.g. "Message received."), `origin` = the original
 * message's envelope without `data`, `key`, `keys`, `meta`, `visa` (plus the original content's
 * `sn` when known), optional `template` (with `${name}` placeholders) + `replacements`.
 * `contentToWire` also writes `envelope` and the top-level copies deployed Python apps send.
 * Never answer a receipt with a receipt (§11 item 19).
 */
export type ReceiptCommand = Command & {
  readonly command: typeof CommandName.RECEIPT;
  readonly text?: string;
  readonly origin?: JsonObject;
  readonly template?: string;
  readonly replacements?: JsonObject;
};

/** Message fields a receipt's `origin` leaves out (§6.3). */
const NOT_IN_ORIGIN = new Set(['data', 'key', 'keys', 'meta', 'visa', 'content']);

/**
 * The `origin` of a receipt for `message` (a reliable or instant message): its envelope fields
 * (sender, receiver, time, type, group, signature, IV, traces, …) without `data`, `key`, `keys`,
 * `meta`, `visa` (and `content`), plus the content's `sn` when given.
 */
export function receiptOrigin(message: JsonObject, sn?: number): JsonObject {
  const entries = Object.entries(message).filter(([k]) => !NOT_IN_ORIGIN.has(k));
  if (sn !== undefined) entries.push(['sn', sn]);
  return Object.fromEntries(entries);
}

export function createReceiptCommand(
  fields: {
    readonly text?: string;
    readonly origin?: JsonObject;
    readonly template?: string;
    readonly replacements?: JsonObject;
  },
  options: ContentOptions = {},
): ReceiptCommand {
  return createCommand(
    CommandName.RECEIPT,
    { text: fields.text, origin: fields.origin, template: fields.template, replacements: fields.replacements },
    options,
  ) as ReceiptCommand;
}

export function isReceiptCommand(content: Content): content is ReceiptCommand {
  return isCommand(content, CommandName.RECEIPT);
}

export function checkReceiptCommand(ck: Check, json: JsonObject): void {
  checkString(ck, json, 'text');
  checkString(ck, json, 'template');
  checkObject(ck, json, 'replacements');
  const origin = checkObject(ck, json, 'origin');
  if (origin !== undefined && field(origin, 'sender') !== undefined) {
    checkString({ ...ck, what: `${ck.what} origin` }, origin, 'sender');
  }
}
