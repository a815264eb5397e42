import type { JsonObject } from '../encoding/json.js';
import { adoptLegacyName, mirrorField } from './_fields.js';
import { conflictError } from './_errors.js';

/**
 * The decryption key of a file content (wire spec §5.1, §7 item 2): Python reads `key`, JS v2.0
 * reads `password`; deployed apps copy one to the other. Canonical name: `key`.
 */

/** Incoming: `password` → `key`. Throws DimError('content.format') when both differ. */
export function fileKeyFromWire(json: JsonObject): JsonObject {
  return adoptLegacyName(json, 'password', 'key', conflictError('content.format', 'file key'));
}

/** Outgoing: `key` and `password`, same key dict. */
export function fileKeyToWire(json: JsonObject): JsonObject {
  return mirrorField(json, 'key', 'password');
}
