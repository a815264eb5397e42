import { isDimError } from '@dimkit/protocol';
import { contactEncryptionKey } from '@dimkit/protocol/account';
import type { CryptoBackend, PublicKey } from '@dimkit/protocol/crypto';
import type { Messenger } from '../messenger.js';

/**
 * The encryption key of each ID (visa key, else an RSA meta key, wire spec §3.6), from the
 * contacts or asked of the station; IDs without one (unknown to the station, no usable key) are
 * `missing`. Lookups run side by side.
 */
export async function encryptionKeys(
  messenger: Messenger,
  ids: readonly string[],
  backend?: CryptoBackend,
): Promise<{ keys: Map<string, PublicKey>; missing: string[] }> {
  const found = await Promise.all(
    ids.map(async (id): Promise<PublicKey | undefined> => {
      try {
        return contactEncryptionKey(await messenger.contact(id), backend);
      } catch (error) {
        if (isDimError(error)) return undefined;
        throw error;
      }
    }),
  );
  const keys = new Map<string, PublicKey>();
  const missing: string[] = [];
  ids.forEach((id, i) => {
    const key = found[i];
    if (key === undefined) missing.push(id);
    else keys.set(id, key);
  });
  return { keys, missing };
}
