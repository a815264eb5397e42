import type { JsonObject, JsonValue } from '../encoding/json.js';

/**
 * Field helpers shared by the compat filters. They never mutate their input: each returns a new
 * object with the own enumerable fields of the input in their order (as `Object.entries` lists
 * them). A `__proto__` key stays a plain own key and never reaches a prototype (see `put`).
 */

const hasOwnProperty = Object.prototype.hasOwnProperty;

export function hasOwn(json: JsonObject, key: string): boolean {
  return hasOwnProperty.call(json, key);
}

/**
 * The value of an own field (never an inherited one such as `__proto__`). The value is read
 * first: most fields a filter asks for are absent, and a read that finds nothing is cheaper than
 * the own-property test, which then runs only for a value found.
 */
export function own(json: JsonObject, key: string): JsonValue | undefined {
  const value = json[key];
  return value !== undefined && hasOwnProperty.call(json, key) ? value : undefined;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Defines `key` on a fresh object as a plain data property. Assigning `__proto__` would call the
 * Object.prototype setter and replace the prototype instead, so that one key is defined
 * explicitly (as `Object.fromEntries` would); a plain assignment is much cheaper for the others.
 */
function put(out: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

/**
 * A copy of `json` in which `key` is renamed to `to` with `value`, or left out when `drop`.
 * Copying in a loop makes none of the per-field arrays that `Object.fromEntries(Object.entries(…))`
 * made.
 */
function copyReplacing(json: JsonObject, key: string, to: string, value: JsonValue, drop: boolean): JsonObject {
  const out: JsonObject = {};
  for (const k in json) {
    if (!hasOwnProperty.call(json, k)) continue;
    if (k !== key) put(out, k, json[k]!);
    else if (!drop) put(out, to, value);
  }
  return out;
}

/** Sets `key`: replaced in place when present, appended otherwise. */
export function withField(json: JsonObject, key: string, value: JsonValue): JsonObject {
  const present = hasOwn(json, key);
  const out = copyReplacing(json, key, key, value, false);
  if (!present) put(out, key, value);
  return out;
}

export function withoutField(json: JsonObject, key: string): JsonObject {
  if (!hasOwn(json, key)) return json;
  return copyReplacing(json, key, key, null, true);
}

/** Renames `from` to `to` at the same position. The caller checked that `to` is absent. */
export function renameField(json: JsonObject, from: string, to: string, value: JsonValue = json[from]!): JsonObject {
  return copyReplacing(json, from, to, value, false);
}

/** Equality of JSON values, ignoring key order. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

/**
 * Incoming: the legacy spelling `legacy` of a renamed field becomes `current` (in place).
 * When both are present they must agree (then the legacy copy is dropped); otherwise `conflict`
 * is called, which throws: two spellings that disagree would let readers of different
 * generations see different values, so such input is rejected, never "fixed".
 */
export function adoptLegacyName(
  json: JsonObject,
  legacy: string,
  current: string,
  conflict: (legacy: string, current: string) => never,
): JsonObject {
  if (!hasOwn(json, legacy)) return json;
  if (!hasOwn(json, current)) return renameField(json, legacy, current);
  if (!jsonEqual(json[legacy], json[current])) conflict(legacy, current);
  return withoutField(json, legacy);
}

/**
 * Outgoing: writes both names of a renamed field (wire spec §7, §11 item 12): whichever of the two
 * is present is copied to the other, appended at the end. Nothing happens when both or neither are
 * present.
 */
export function mirrorField(json: JsonObject, current: string, legacy: string): JsonObject {
  const a = hasOwn(json, current);
  const b = hasOwn(json, legacy);
  if (a && !b) return withField(json, legacy, json[current]!);
  if (b && !a) return withField(json, current, json[legacy]!);
  return json;
}
