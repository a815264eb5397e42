import { CommandName, createCommand, type Content } from '@dimkit/protocol/content';
import { receiptOrigin } from '@dimkit/protocol/content';
import type { JsonObject } from '@dimkit/protocol/encoding';

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

/**
 * A receipt about `message` (station spec §3.5, wire spec §6.3): `text`, and `origin` = the message's
 * envelope without `data`, `key`, `keys`, `meta`, `visa` (plus the content `sn` when known). The compat write
 * filter adds `envelope` and the top-level `sender`/`receiver`/`sn`/`signature` copies when it is sealed.
 */
export function createReceipt(text: string, message: JsonObject, extra: ReceiptExtra = {}): Content {
  return createCommand(
    CommandName.RECEIPT,
    {
      text,
      origin: receiptOrigin(message, extra.sn),
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
