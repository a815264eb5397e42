import type { JsonObject } from '../encoding/json.js';
import { isObject, own, withField } from './_fields.js';
import { didFromWire, didToWire } from './did.js';

/**
 * Login command (wire spec §6.5, §7 item 6): `did` + `ID` on the command and inside its `station`
 * (`{did, ID, host, port}`) and `provider` (`{did, ID}`) objects.
 */
function eachPart(json: JsonObject, fix: (part: JsonObject) => JsonObject): JsonObject {
  let out = fix(json);
  for (const field of ['station', 'provider']) {
    const part = own(out, field);
    if (isObject(part)) out = withField(out, field, fix(part));
  }
  return out;
}

/** Incoming: `ID` → `did`, on the command, `station` and `provider`. Throws DimError('command.format'). */
export function loginFromWire(json: JsonObject): JsonObject {
  return eachPart(json, (part) => didFromWire(part, 'command.format'));
}

/** Outgoing: `did` and `ID` on the command, `station` and `provider`. */
export function loginToWire(json: JsonObject): JsonObject {
  return eachPart(json, didToWire);
}
