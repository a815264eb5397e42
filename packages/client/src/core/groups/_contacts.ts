import { isDimError } from '@dimkit/protocol';
import { contactEncryptionKey, type Contact } from '@dimkit/protocol/account';
import type { CryptoBackend, PublicKey } from '@dimkit/protocol/crypto';
import type { Messenger } from '../messenger.js';

/** How long to wait for a document after the meta arrived (the station answers both queries at once). */
const DOCUMENT_WAIT_MS = 10_000;

function keyOf(contact: Contact, backend: CryptoBackend | undefined): PublicKey | undefined {
  try {
    return contactEncryptionKey(contact, backend);
  } catch (error) {
    if (isDimError(error)) return undefined;
    throw error;
  }
}

/**
 * The contact of `id` once `ready(contact)` holds: known, or asked of the station.
 * `Messenger.contact` resolves as soon as the meta is there, and the document (an ETH user's
 * visa, whose key is the only one that encrypts; a group's bulletin) follows in its own answer,
 * so this waits up to `waitMs` for it. Resolves with what is known then (undefined: no meta).
 */
export async function contactWhen(
  messenger: Messenger,
  id: string,
  ready: (contact: Contact) => boolean,
  waitMs = DOCUMENT_WAIT_MS,
): Promise<Contact | undefined> {
  let wake: (() => void) | undefined;
  const off = messenger.on('contact', (event) => {
    if (event.contact.id.text === id) wake?.();
  });
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      let contact: Contact;
      try {
        contact = await messenger.contact(id);
      } catch (error) {
        if (isDimError(error)) return undefined;
        throw error;
      }
      const left = deadline - Date.now();
      if (ready(contact) || left <= 0) return contact;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    off();
  }
}

/**
 * The encryption key of each ID; IDs without one (unknown to the station, no usable key) are
 * `missing`. Lookups run side by side.
 */
export async function encryptionKeys(
  messenger: Messenger,
  ids: readonly string[],
  backend?: CryptoBackend,
): Promise<{ keys: Map<string, PublicKey>; missing: string[] }> {
  const found = await Promise.all(
    ids.map(async (id) => {
      const contact = await contactWhen(messenger, id, (c) => keyOf(c, backend) !== undefined);
      return contact === undefined ? undefined : keyOf(contact, backend);
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
