import type { Identity } from '@dimkit/protocol/account';
import { createDocumentsCommand, type Content } from '@dimkit/protocol/content';
import type { CryptoBackend } from '@dimkit/protocol/crypto';
import { sealMessage, type InstantMessage, type ReliableMessage } from '@dimkit/protocol/dkd';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { ANYONE, documentToDict, metaToDict, type Document, type Meta } from '@dimkit/protocol/mkm';

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
  const instant: JsonObject = { sender: identity.id.text, receiver: ANYONE.text, time: Date.now() / 1000 };
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
