import type { Identity } from '@dimkit/protocol/account';
import type { Content } from '@dimkit/protocol/content';
import type { CryptoBackend, PublicKey } from '@dimkit/protocol/crypto';
import { sealMessage, serializeMessage, type CipherKeyCache } from '@dimkit/protocol/dkd';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { documentToDict, metaToDict } from '@dimkit/protocol/mkm';

const encoder = new TextEncoder();

export interface ReplyOptions {
  /** The user's message key cache: one AES key per (station, user) direction, wrapped once (wire spec §4.7). */
  readonly keyCache: CipherKeyCache;
  readonly backend?: CryptoBackend | undefined;
  /** Attach the station's `meta` and `visa` (its first reply to a client that wrote to `station@anywhere`). */
  readonly introduce?: boolean;
  /** Seconds since 1970 (the envelope time). */
  readonly now?: number;
}

/**
 * A station reply as wire bytes: `content` from the station to `receiver`, put through the compat write filter,
 * encrypted for `receiverKey` (the user's visa key, else its RSA meta key) and signed with the station's meta
 * key (station spec §2.2 step 3, §3.5). With `introduce`, the station's meta and visa ride along so a client
 * that only knew `station@anywhere` can verify it and learn its ID.
 */
export function sealReply(
  station: Identity,
  receiver: string,
  receiverKey: PublicKey,
  content: Content,
  options: ReplyOptions,
): Uint8Array {
  const instant: JsonObject = {
    sender: station.id.text,
    receiver,
    time: options.now ?? Date.now() / 1000,
    content: content as JsonObject,
  };
  if (options.introduce === true) {
    instant['meta'] = metaToDict(station.meta);
    if (station.visa !== undefined) instant['visa'] = documentToDict(station.visa);
  }
  const sealed = sealMessage(instant as Parameters<typeof sealMessage>[0], {
    signer: station.privateKey,
    receiverKey,
    keyCache: options.keyCache,
    backend: options.backend,
  });
  return encoder.encode(serializeMessage(sealed));
}
