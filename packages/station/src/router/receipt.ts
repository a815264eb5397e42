import { CommandName, createCommand, type Content } from '@dimkit/protocol/content';
import type { JsonObject, JsonValue } from '@dimkit/protocol/encoding';

/**
 * Receipt texts. The reference station's (station spec §3.5; templates from dimchat/sdk-py and dimpart/demo-py
 * 2025) come first; the ones marked "dimkit" are refusals the reference never sends because it does not make
 * those checks (docs/compatibility.md).
 */
export const ReceiptText = {
  DELIVERED: 'Message delivered.',
  CACHED: 'Message cached.',
  LOGIN_RECEIVED: 'Login received.',
  ONLINE_RECEIVED: 'Online received.',
  META_RECEIVED: 'Meta received.',
  META_NOT_FOUND: 'Meta not found.',
  META_NOT_VALID: 'Meta not valid.',
  META_NOT_ACCEPTED: 'Meta not accepted.',
  DOCUMENT_RECEIVED: 'Document received.',
  DOCUMENT_NOT_FOUND: 'Document not found.',
  DOCUMENT_NOT_UPDATED: 'Document not updated.',
  DOCUMENT_NOT_ACCEPTED: 'Document not accepted.',
  DOCUMENT_NOT_CHANGED: 'Document not changed.',
  BLOCK_RECEIVED: 'Block received.',
  BLOCK_NOT_CHANGED: 'Block not changed.',
  MUTE_RECEIVED: 'Mute received.',
  MUTE_NOT_CHANGED: 'Mute not changed.',
  COMMAND_NOT_SUPPORT: 'Command not support.',
  CONTENT_NOT_SUPPORT: 'Content not support.',
  ANS_ERROR: 'ANS command error.',
  /** The reference dispatcher's text for a group receiver. */
  GROUP_NOT_ALLOWED: 'Group message not allow for this station',
  /** dimkit: the sender is not the user of the connection. */
  SENDER_NOT_ALLOWED: 'Sender not allowed.',
  /** dimkit: a message to the station that failed verification or decryption. */
  MESSAGE_NOT_ACCEPTED: 'Message not accepted.',
  /** dimkit: `name@anywhere` with no ANS record. */
  RECEIVER_NOT_FOUND: 'Receiver not found.',
  /** dimkit: the receiver's inbox is full (or the store failed): the message was not kept. */
  MESSAGE_NOT_CACHED: 'Message not cached.',
} as const;

export interface ReceiptExtra {
  /** A text with `${name}` placeholders, and their values (the reference's `template` + `replacements`). */
  readonly template?: string;
  readonly replacements?: JsonObject;
  /** The original content's `sn`, when the station decrypted the message. */
  readonly sn?: number;
  /** The group of the original content (or the exposed group). */
  readonly group?: string;
  /** Fields added beside `text` (`recipient` of "Message delivered.", …). */
  readonly fields?: JsonObject;
}

/** Envelope fields a station receipt's `origin` copies (wire spec §6.3: what receivers match receipts by). */
const ORIGIN_FIELDS = ['sender', 'receiver', 'time', 'type', 'group', 'sn', 'IV', 'signature'] as const;
/** A longer value is not an envelope field a receipt needs (a Base64 signature of RSA-4096 is 684 chars). */
const ORIGIN_VALUE_MAX = 1024;

function scalar(value: JsonValue | undefined): value is string | number {
  return (
    (typeof value === 'string' && value.length <= ORIGIN_VALUE_MAX) ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * The `origin` of a station receipt: the message's envelope fields `sender`, `receiver`, `time`, `type`,
 * `group`, `sn`, `IV`, `signature` (strings and numbers only), plus the content's `sn` when the station
 * decrypted it. The reference copies every other top-level field too (all but `data`, `key`, `keys`, `meta`,
 * `visa`); the station does not echo what a peer made up, so a receipt stays small and shallow whatever the
 * message carried (docs/compatibility.md).
 */
export function stationReceiptOrigin(message: JsonObject, sn?: number): JsonObject {
  const origin: JsonObject = {};
  for (const field of ORIGIN_FIELDS) {
    const value = message[field];
    if (scalar(value)) origin[field] = value;
  }
  if (sn !== undefined) origin['sn'] = sn;
  return origin;
}

/**
 * A receipt about `message` (station spec §3.5, wire spec §6.3): `text`, and `origin` =
 * `stationReceiptOrigin(message, sn)`. The compat write filter adds `envelope` and the top-level
 * `sender`/`receiver`/`sn`/`signature` copies when it is sealed.
 */
export function createReceipt(text: string, message: JsonObject, extra: ReceiptExtra = {}): Content {
  return createCommand(
    CommandName.RECEIPT,
    {
      text,
      origin: stationReceiptOrigin(message, extra.sn),
      ...extra.fields,
      template: extra.template,
      replacements: extra.replacements,
    },
    extra.group === undefined ? {} : { group: extra.group },
  );
}

/** A receipt whose template names the subject ID, as the reference writes them (`Meta received: ${did}.`). */
export function createIdReceipt(
  text: string,
  message: JsonObject,
  template: string,
  did: string,
  sn?: number,
): Content {
  return createReceipt(text, message, { template, replacements: { did }, ...(sn === undefined ? {} : { sn }) });
}
