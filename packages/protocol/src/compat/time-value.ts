import type { JsonObject } from '../encoding/json.js';
import { own, withField } from './_fields.js';

/**
 * Time values (wire spec §1): seconds since 1970 as a JSON number; readers accept int, float or
 * a numeric string. Canonical: a number. Applies to a content's `time` and `last_time`.
 */
const NUMERIC = /^[0-9]{1,12}(\.[0-9]{1,9})?$/;

function timeFieldFromWire(json: JsonObject, field: string): JsonObject {
  const value = own(json, field);
  return typeof value === 'string' && NUMERIC.test(value) ? withField(json, field, Number(value)) : json;
}

export function timeFieldsFromWire(json: JsonObject): JsonObject {
  return timeFieldFromWire(timeFieldFromWire(json, 'time'), 'last_time');
}
