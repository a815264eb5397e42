import type { JsonObject } from '../encoding/json.js';
import { withoutField } from './_fields.js';
import { expandShortKeys, KEY_SHORT_KEYS } from './short-keys.js';

/**
 * Incoming symmetric (message) key dict: expands the short keys `A`, `D`, `I` (wire spec §4.5
 * step 5, §4.10). Other fields are kept.
 */
export function keyFromWire(json: JsonObject): JsonObject {
  return expandShortKeys(json, KEY_SHORT_KEYS);
}

/**
 * Outgoing symmetric (message) key dict: drops the local cache flags `reused` and `digest`
 * (wire spec §2.2, §7 "Key dict"; they must never travel, and they would push the RSA-1024
 * plaintext past 117 bytes, §11 item 5).
 */
export function keyToWire(json: JsonObject): JsonObject {
  return withoutField(withoutField(json, 'reused'), 'digest');
}
