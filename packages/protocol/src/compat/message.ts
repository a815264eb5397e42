import type { JsonObject } from '../encoding/json.js';
import { hasOwn, isObject, own, renameField, withField } from './_fields.js';
import { contentTypeFromWire } from './content-type.js';
import { documentFromWire, documentToWire } from './document.js';
import { metaFromWire, metaToWire } from './meta.js';
import { expandShortKeys, MESSAGE_SHORT_KEYS } from './short-keys.js';

function envelopeType(json: JsonObject): JsonObject {
  const raw = own(json, 'type');
  const type = contentTypeFromWire(raw);
  return type === undefined || raw === type ? json : withField(json, 'type', type);
}

/**
 * The incoming message filter (wire spec §4.5 step 1, §4.10, §7 "Incoming"):
 * - short keys `F`, `R`, `W`, `T`, `G`, `D`, `V`, `M`, `P` expanded, and `K` → `key` when its
 *   value is a string, `keys` when it is an object (never overwriting an existing long key);
 * - the envelope `type` as an integer when it is a decimal string or alias (§4.2);
 * - attached `meta`: `version` → integer `type` (§3.4); attached `visa`: `ID` → `did` (§3.6).
 * Everything else (`data`, `IV`, `traces`, `SDT`, …) is kept as it came. Pure: never mutates
 * `json`. Throws DimError('meta.type' | 'document.invalid') on a conflicting attachment.
 */
export function messageFromWire(json: JsonObject): JsonObject {
  let out = expandShortKeys(json, MESSAGE_SHORT_KEYS);
  const k = own(out, 'K');
  if (typeof k === 'string' && !hasOwn(out, 'key')) out = renameField(out, 'K', 'key');
  else if (isObject(k) && !hasOwn(out, 'keys')) out = renameField(out, 'K', 'keys');
  out = envelopeType(out);
  const meta = own(out, 'meta');
  if (isObject(meta)) out = withField(out, 'meta', metaFromWire(meta));
  const visa = own(out, 'visa');
  if (isObject(visa)) out = withField(out, 'visa', documentFromWire(visa));
  return out;
}

/**
 * The outgoing message filter (§7 "Outgoing message"): the envelope `type` an integer; attached
 * `meta` with integer `type` + `version`; attached `visa` with `did` + `ID`. Pure.
 * (The symmetric key dict is filtered by `keyToWire` before it is encrypted.)
 */
export function messageToWire(json: JsonObject): JsonObject {
  let out = envelopeType(json);
  const meta = own(out, 'meta');
  if (isObject(meta)) out = withField(out, 'meta', metaToWire(meta));
  const visa = own(out, 'visa');
  if (isObject(visa)) out = withField(out, 'visa', documentToWire(visa));
  return out;
}
