import type { JsonObject } from '../encoding/json.js';
import { isObject, own, withField } from './_fields.js';
import { contentTypeFromWire } from './content-type.js';

/**
 * A quote's `origin.type` (wire spec §5 "quote"): the type of the quoted content, written as a
 * string by the 2025 SDKs ("1"). Canonical: an integer, like every content type.
 */
export function quoteOriginFromWire(json: JsonObject): JsonObject {
  const origin = own(json, 'origin');
  if (!isObject(origin)) return json;
  const raw = own(origin, 'type');
  const type = contentTypeFromWire(raw);
  if (type === undefined || raw === type) return json;
  return withField(json, 'origin', withField(origin, 'type', type));
}
