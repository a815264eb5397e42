import type { Identity } from '@dimkit/protocol/account';
import { createForwardContent, type Content } from '@dimkit/protocol/content';
import type { CryptoBackend, PublicKey } from '@dimkit/protocol/crypto';
import { sealMessage, type InstantMessage, type ReliableMessage } from '@dimkit/protocol/dkd';
import type { JsonObject } from '@dimkit/protocol/encoding';

function now(): number {
  return Date.now() / 1000;
}

/**
 * Seals `content` once for a whole group (wire spec §4.8): receiver and exposed `group` = the
 * group, one AES key wrapped for every member in `keys`, one signature. `exposeSn` also writes
 * the content's `sn` in the envelope, as clients do for assistant bots.
 */
export function sealForMembers(
  identity: Identity,
  group: string,
  content: Content,
  memberKeys: ReadonlyMap<string, PublicKey>,
  options: { readonly exposeSn?: boolean; readonly backend?: CryptoBackend } = {},
): ReliableMessage {
  const instant: JsonObject = { sender: identity.id.text, receiver: group, time: now(), group };
  if (options.exposeSn === true) instant['sn'] = content.sn;
  instant['content'] = content;
  return sealMessage(instant as InstantMessage, {
    signer: identity.privateKey,
    memberKeys,
    backend: options.backend,
  });
}

/** A personal message carrying `messages` in a forward content (wire spec §5, type 0xFF). */
export function sealForward(
  identity: Identity,
  receiver: string,
  receiverKey: PublicKey,
  messages: readonly ReliableMessage[],
  backend?: CryptoBackend,
): ReliableMessage {
  const forward = createForwardContent(messages.length === 1 ? messages[0]! : messages);
  const instant = { sender: identity.id.text, receiver, time: now(), content: forward } as InstantMessage;
  return sealMessage(instant, { signer: identity.privateKey, receiverKey, backend });
}
