import type { Identity } from '@dimkit/protocol/account';
import { createDocumentsCommand, createForwardContent, type Content } from '@dimkit/protocol/content';
import type { CryptoBackend, PublicKey } from '@dimkit/protocol/crypto';
import { sealMessage, type InstantMessage, type ReliableMessage } from '@dimkit/protocol/dkd';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { ANYONE, documentToDict, metaToDict, type Document, type Meta } from '@dimkit/protocol/mkm';

function now(): number {
  return Date.now() / 1000;
}

/**
 * A signed broadcast (wire spec §4.6, §4.8): receiver `anyone@anywhere`, plain `data`, with the
 * group exposed when given. Group commands travel this way, wrapped in forward contents, so that
 * whoever receives them can check the signer.
 */
export function packBroadcast(
  identity: Identity,
  content: Content,
  group: string | undefined,
  backend?: CryptoBackend,
): ReliableMessage {
  const instant: JsonObject = { sender: identity.id.text, receiver: ANYONE.text, time: now() };
  if (group !== undefined) instant['group'] = group;
  instant['content'] = content;
  return sealMessage(instant as InstantMessage, { signer: identity.privateKey, backend });
}

/** The group's meta and bulletin as a signed `documents` broadcast: the head of a group history. */
export function packGroupDocuments(
  identity: Identity,
  group: { readonly id: string; readonly meta: Meta; readonly bulletin: Document | undefined },
  backend?: CryptoBackend,
): ReliableMessage {
  const content = createDocumentsCommand({
    did: group.id,
    meta: metaToDict(group.meta),
    ...(group.bulletin === undefined ? {} : { documents: [documentToDict(group.bulletin)] }),
  });
  return packBroadcast(identity, content, undefined, backend);
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
