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

/** Expands the short keys of `table` in place (same position), skipping any whose long key exists. */
export function expandShortKeys(json: JsonObject, table: Readonly<Record<string, string>>): JsonObject {
  let out = json;
  for (const short of Object.keys(table)) {
    const long = table[short]!;
    if (hasOwn(out, short) && !hasOwn(out, long)) out = renameField(out, short, long);
  }
  return out;
}
