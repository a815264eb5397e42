import { existsSync } from 'node:fs';
import { DimError, isDimError } from '@dimkit/protocol';
import { parseId } from '@dimkit/protocol/mkm';
import type { ClientStore } from '../core/client-store.js';
import { readJsonFile } from './_io.js';

/**
 * The address book of a `dim` profile, kept in the profile's settings: which IDs the user added
 * (`dim contacts add`), with an optional local name that `dim chat NAME` and the listings use. The
 * metas and visas themselves are the messenger's contacts (validated, refreshed from the station).
 */
const BOOK = 'contacts.book';
const NAME = 'contacts.name.';
const ALIAS = 'contacts.alias.';
const MAX_NAME = 64;

export async function bookEntries(store: ClientStore): Promise<string[]> {
  const text = await store.getSetting(BOOK);
  if (text === undefined) return [];
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The local name given to `id`, if any. */
export function localName(store: ClientStore, id: string): Promise<string | undefined> {
  return store.getSetting(NAME + id);
}

export function checkLocalName(name: string): string {
  const clean = name.trim();
  if (clean === '' || clean.length > MAX_NAME || /[\s@]/.test(clean)) {
    throw new DimError('cli.usage', `a contact name is 1–${MAX_NAME} characters without spaces or @, got "${name}"`);
  }
  return clean;
}

/** Adds `id` to the book, with `name` if given (a name already used by another ID is refused). */
export async function addToBook(store: ClientStore, id: string, name?: string): Promise<void> {
  if (name !== undefined) {
    const local = checkLocalName(name);
    const taken = await store.getSetting(ALIAS + local.toLowerCase());
    if (taken !== undefined && taken !== id) throw new DimError('cli.usage', `the name ${local} is taken by ${taken}`);
    const previous = await localName(store, id);
    if (previous !== undefined && previous !== local) await store.putSetting(ALIAS + previous.toLowerCase(), '');
    await store.putSetting(ALIAS + local.toLowerCase(), id);
    await store.putSetting(NAME + id, local);
  }
  const book = await bookEntries(store);
  if (!book.includes(id)) await store.putSetting(BOOK, JSON.stringify([...book, id]));
}

/**
 * An ID from the command line: an ID string, a name from the book, or a `.json` file with an `id` (an identity
 * file, a contact card; only the ID is read). Throws DimError('id.syntax').
 */
export async function resolveTarget(store: ClientStore, text: string): Promise<string> {
  if (text.endsWith('.json') && existsSync(text)) {
    const json = readJsonFile(text, 'contact');
    const id = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['id'] : undefined;
    return parseId(id).text;
  }
  try {
    return parseId(text).text;
  } catch (error) {
    if (!isDimError(error)) throw error;
    const id = await store.getSetting(ALIAS + text.trim().toLowerCase());
    if (id !== undefined && id !== '') return id;
    throw new DimError(
      'id.syntax',
      `"${text}" is neither an ID nor the name of a contact (dim contacts add ID --name NAME)`,
    );
  }
}
