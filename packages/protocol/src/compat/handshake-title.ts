import type { JsonObject } from '../encoding/json.js';
import { adoptLegacyName, mirrorField } from './_fields.js';
import { conflictError } from './_errors.js';

/**
 * The handshake text (wire spec §6.4, §8): `title` is current, `message` legacy; the Python
 * station and clients write both.
 */

/** Incoming: `message` → `title`. Throws DimError('command.format') when both differ. */
export function handshakeTitleFromWire(json: JsonObject): JsonObject {
  return adoptLegacyName(json, 'message', 'title', conflictError('command.format', 'handshake'));
}

/** Outgoing: `title` and `message`, same text. */
export function handshakeTitleToWire(json: JsonObject): JsonObject {
  return mirrorField(json, 'title', 'message');
}
