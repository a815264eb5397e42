import { jsBackend } from '../crypto/index.js';
import type { CryptoBackend } from '../crypto/types.js';
import { isDimError } from '../errors.js';
import {
  checkMeta,
  parseDocument,
  parseId,
  parseMeta,
  verifyDocument,
  type Document,
  type Meta,
} from '../mkm/index.js';
import type { ReliableMessage } from './message.js';

export interface SenderAttachments {
  /** The attached meta, if it is valid and matches the sender. */
  readonly meta: Meta | undefined;
  /** The attached visa, if it belongs to the sender and verifies with the meta. */
  readonly visa: Document | undefined;
}

/**
 * The sender's meta and visa attached to a message (first contact, wire spec §4.5 step 2),
 * each kept only if it checks out: the meta must match the sender ID, the visa must belong to
 * the sender and verify with that meta (or with `knownMeta`). Never throws on bad attachments:
 * they are ignored, and the message then fails verification if nothing else vouches for it.
 */
export function senderAttachments(
  message: ReliableMessage,
  knownMeta?: Meta,
  backend: CryptoBackend = jsBackend,
): SenderAttachments {
  let meta: Meta | undefined;
  let visa: Document | undefined;
  try {
    const sender = parseId(message.sender);
    if (message.meta !== undefined && message.meta !== null) {
      try {
        const attached = parseMeta(message.meta, backend);
        checkMeta(attached, sender);
        meta = attached;
      } catch (error) {
        if (!isDimError(error)) throw error;
      }
    }
    const verifier = meta ?? knownMeta;
    if (message.visa !== undefined && message.visa !== null && verifier !== undefined) {
      try {
        const attached = parseDocument(message.visa);
        if (attached.did.text === sender.text && verifyDocument(attached, verifier)) visa = attached;
      } catch (error) {
        if (!isDimError(error)) throw error;
      }
    }
  } catch (error) {
    if (!isDimError(error)) throw error;
  }
  return { meta, visa };
}
