import type { JsonObject } from '../encoding/json.js';
import { own, withField } from './_fields.js';

/**
 * Time values (wire spec §1): seconds since 1970 as a JSON number; readers accept int, float or
 * a numeric string. Canonical: a number. Applies to a content's `time` and `last_time`.
 */
const NUMERIC = /^[0-9]{1,12}(\.[0-9]{1,9})?$/;

export function timeFieldsFromWire(json: JsonObject): JsonObject {
  let out = json;
  for (const field of ['time', 'last_time']) {
    const value = own(out, field);
    if (typeof value === 'string' && NUMERIC.test(value)) out = withField(out, field, Number(value));
  }
  return out;
}
