import type { JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { adoptLegacyName, mirrorField } from './_fields.js';

function conflict(legacy: string, current: string): never {
  throw new DimError('document.invalid', `document \`${current}\` and legacy \`${legacy}\` name different entities`);
}

/**
 * Incoming document (visa, bulletin, profile; wire spec §3.6): the legacy `ID` becomes `did`.
 * `data` stays the exact string that was signed. Pure JSON; no signature is checked here.
 * Throws DimError('document.invalid') when `did` and `ID` disagree.
 */
export function documentFromWire(json: JsonObject): JsonObject {
  return adoptLegacyName(json, 'ID', 'did', conflict);
}

/**
 * Outgoing document (§3.6, §7 item 8): writes both `did` (JS v2.0 ignores documents without it)
 * and `ID` (older clients read only that), with the same value.
 */
export function documentToWire(json: JsonObject): JsonObject {
  return mirrorField(documentFromWire(json), 'did', 'ID');
}
