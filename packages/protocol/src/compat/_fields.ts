import type { JsonObject, JsonValue } from '../encoding/json.js';

/**
 * Field helpers shared by the compat filters. They never mutate their input: each returns a new
 * object built with `Object.fromEntries` (own data properties only, so a `__proto__` key stays a
 * plain key and never reaches a prototype), keeping the key order of the input.
 */

export function hasOwn(json: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(json, key);
}

/** The value of an own field (never an inherited one such as `__proto__`). */
export function own(json: JsonObject, key: string): JsonValue | undefined {
  return hasOwn(json, key) ? json[key] : undefined;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets `key`: replaced in place when present, appended otherwise. */
export function withField(json: JsonObject, key: string, value: JsonValue): JsonObject {
  if (hasOwn(json, key)) {
    return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, k === key ? value : v]));
  }
  return Object.fromEntries([...Object.entries(json), [key, value]]);
}

export function withoutField(json: JsonObject, key: string): JsonObject {
  if (!hasOwn(json, key)) return json;
  return Object.fromEntries(Object.entries(json).filter(([k]) => k !== key));
}

/** Renames `from` to `to` at the same position. The caller checked that `to` is absent. */
export function renameField(json: JsonObject, from: string, to: string, value: JsonValue = json[from]!): JsonObject {
  return Object.fromEntries(Object.entries(json).map(([k, v]) => (k === from ? [to, value] : [k, v])));
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
