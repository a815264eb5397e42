import type { JsonObject } from '../encoding/json.js';
import { hasOwn, renameField } from './_fields.js';

/**
 * Short keys (wire spec §4.10, §11 item 17). The reference SDK has a compressor that deployed
 * apps never use on output, but every reader expands on input. dimkit only expands, and never
 * overwrites a long key that is already present (the short one is then left as it came).
 */

/** Content fields. */
export const CONTENT_SHORT_KEYS: Readonly<Record<string, string>> = {
  T: 'type',
  N: 'sn',
  W: 'time',
  G: 'group',
  C: 'command',
};

/** Message (envelope) fields; `K` is handled apart: string → `key`, object → `keys`. */
export const MESSAGE_SHORT_KEYS: Readonly<Record<string, string>> = {
  F: 'sender',
  R: 'receiver',
  W: 'time',
  T: 'type',
  G: 'group',
  D: 'data',
  V: 'signature',
  M: 'meta',
  P: 'visa',
};

/** Symmetric key fields. */
export const KEY_SHORT_KEYS: Readonly<Record<string, string>> = {
  A: 'algorithm',
  D: 'data',
  I: 'iv',
};

/**
 * Expands the short keys of `table` in place (same position), skipping any whose long key exists.
 * Every short key is one character, so one walk over the fields of `json` that looks only at
 * one-character names finds them: a content or message without short keys (nearly all) costs
 * no lookup per table entry.
 */
export function expandShortKeys(json: JsonObject, table: Readonly<Record<string, string>>): JsonObject {
  let out = json;
  for (const short in json) {
    if (short.length !== 1 || !hasOwn(json, short) || !Object.prototype.hasOwnProperty.call(table, short)) continue;
    // Each short key has its own long key, so the order of the renames does not matter.
    const long = table[short]!;
    if (!hasOwn(out, long)) out = renameField(out, short, long);
  }
  return out;
}
