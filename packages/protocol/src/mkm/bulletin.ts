import type { JsonValue } from '../encoding/json.js';
import { DimError } from '../errors.js';
import type { Document } from './document.js';
import { type ID, parseId } from './id.js';

function readId(doc: Document, field: string, value: JsonValue): ID {
  try {
    return parseId(value);
  } catch (cause) {
    if (!(cause instanceof DimError)) throw cause;
    throw new DimError('document.invalid', `bulletin of ${doc.did.text}: "${field}": ${cause.message}`, { cause });
  }
}

function readIds(doc: Document, field: string): ID[] {
  const value = doc.properties[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new DimError('document.invalid', `bulletin of ${doc.did.text}: "${field}": expected an array of IDs`);
  }
  return value.map((item) => readId(doc, field, item));
}

/**
 * The group founder written in a bulletin (`founder`), if any (wire spec §3.6). The founder is
 * authoritative only when the group meta matches the founder's meta key; that check is the caller's.
 * Throws DimError `document.invalid` when the value is not an ID.
 */
export function bulletinFounder(doc: Document): ID | undefined {
  const value = doc.properties['founder'];
  return value === undefined || value === null ? undefined : readId(doc, 'founder', value);
}

/**
 * The group's assistant bots: `assistants` (array), else the legacy single `assistant`.
 * Throws DimError `document.invalid` when an entry is not an ID.
 */
export function bulletinAssistants(doc: Document): ID[] {
  const legacy = doc.properties['assistant'];
  if (doc.properties['assistants'] === undefined && legacy !== undefined && legacy !== null) {
    return [readId(doc, 'assistant', legacy)];
  }
  return readIds(doc, 'assistants');
}

/** The group's administrators (`administrators`). Throws DimError `document.invalid` for a bad entry. */
export function bulletinAdministrators(doc: Document): ID[] {
  return readIds(doc, 'administrators');
}
