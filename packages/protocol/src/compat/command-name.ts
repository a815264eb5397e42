import type { JsonObject } from '../encoding/json.js';
import { adoptLegacyName, mirrorField } from './_fields.js';
import { conflictError } from './_errors.js';

/**
 * The command name field (wire spec §6, §7 item 4, §11 item 12): `command` is current, `cmd` was
 * used from 2023 to 2025 and is still read by legacy readers; deployed apps write both.
 */

/** Incoming: `cmd` → `command`. Throws DimError('command.format') when both differ. */
export function commandNameFromWire(json: JsonObject): JsonObject {
  return adoptLegacyName(json, 'cmd', 'command', conflictError('command.format', 'command'));
}

/** Outgoing: `command` and `cmd`, same value. */
export function commandNameToWire(json: JsonObject): JsonObject {
  return mirrorField(json, 'command', 'cmd');
}
