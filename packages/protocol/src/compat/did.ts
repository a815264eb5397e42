import type { JsonObject } from '../encoding/json.js';
import type { DimErrorCode } from '../errors.js';
import { adoptLegacyName, mirrorField } from './_fields.js';
import { conflictError } from './_errors.js';

/**
 * The subject ID field (wire spec §3.6, §7 items 3, 6, 8, 9; §11 item 12): `did` is current, `ID`
 * legacy. Used by name cards, meta/documents/login commands and login `station`/`provider`.
 * (Not applied to other fields called `ID`, such as a receipt's `replacements.ID`.)
 */

/** Incoming: `ID` → `did`. Throws DimError(code) when both are present and differ. */
export function didFromWire(json: JsonObject, code: DimErrorCode = 'content.format'): JsonObject {
  return adoptLegacyName(json, 'ID', 'did', conflictError(code, 'subject ID'));
}

/** Outgoing: `did` and `ID`, same value. */
export function didToWire(json: JsonObject): JsonObject {
  return mirrorField(json, 'did', 'ID');
}
