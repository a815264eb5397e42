import type { JsonObject, JsonValue } from '../encoding/json.js';
import { DimError } from '../errors.js';
import type { ContentLimits } from './limits.js';

/** Shape checks used by `parseContent`: each names the field and what was expected. */
export interface Check {
  readonly code: 'content.format' | 'command.format';
  /** What is being checked, for messages: `text content`, `login command`, … */
  readonly what: string;
  readonly limits: ContentLimits;
}

export function fail(ck: Check, message: string): never {
  throw new DimError(ck.code, `${ck.what}: ${message}`);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * An own field's value, never an inherited one. Read first: most fields a check asks about are
 * absent, and a read that finds nothing is cheaper than the own-property test.
 */
export function field(json: JsonObject, name: string): JsonValue | undefined {
  const value = json[name];
  return value !== undefined && hasOwn.call(json, name) ? value : undefined;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kind(value: JsonValue): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function missing(ck: Check, name: string, required: boolean): undefined {
  if (required) fail(ck, `\`${name}\` is missing`);
  return undefined;
}

export function checkString(ck: Check, json: JsonObject, name: string, required = false): string | undefined {
  const value = field(json, name);
  if (value === undefined) return missing(ck, name, required);
  if (typeof value !== 'string') fail(ck, `\`${name}\` must be a string, got ${kind(value)}`);
  return value;
}

export function checkNumber(ck: Check, json: JsonObject, name: string, required = false): number | undefined {
  const value = field(json, name);
  if (value === undefined) return missing(ck, name, required);
  if (typeof value !== 'number' || !Number.isFinite(value))
    fail(ck, `\`${name}\` must be a number, got ${kind(value)}`);
  return value;
}

/** Seconds since 1970 (wire spec §1). */
export function checkTime(ck: Check, json: JsonObject, name: string, required = false): number | undefined {
  const value = checkNumber(ck, json, name, required);
  if (value !== undefined && value < 0) fail(ck, `\`${name}\` must be seconds since 1970, got ${value}`);
  return value;
}

export function checkInteger(
  ck: Check,
  json: JsonObject,
  name: string,
  min: number,
  max: number,
  required = false,
): number | undefined {
  const value = checkNumber(ck, json, name, required);
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    fail(ck, `\`${name}\` must be an integer ${min} … ${max}, got ${value}`);
  }
  return value;
}

export function checkObject(ck: Check, json: JsonObject, name: string, required = false): JsonObject | undefined {
  const value = field(json, name);
  if (value === undefined) return missing(ck, name, required);
  if (!isObject(value)) fail(ck, `\`${name}\` must be an object, got ${kind(value)}`);
  return value;
}

function checkIdValue(ck: Check, value: JsonValue, name: string): string {
  if (typeof value !== 'string') fail(ck, `\`${name}\` must be an ID string, got ${kind(value)}`);
  if (value.length === 0 || value.length > ck.limits.maxIdLength) {
    fail(ck, `\`${name}\` must be an ID of 1 … ${ck.limits.maxIdLength} characters, got ${value.length}`);
  }
  return value;
}

/** An ID string (wire spec §3.1). Only the shape is checked here; `parseId` checks the address. */
export function checkId(ck: Check, json: JsonObject, name: string, required = false): string | undefined {
  const value = field(json, name);
  return value === undefined ? missing(ck, name, required) : checkIdValue(ck, value, name);
}

export function checkList(
  ck: Check,
  json: JsonObject,
  name: string,
  max: number,
  required = false,
): JsonValue[] | undefined {
  const value = field(json, name);
  if (value === undefined) return missing(ck, name, required);
  if (!Array.isArray(value)) fail(ck, `\`${name}\` must be an array, got ${kind(value)}`);
  if (value.length > max) fail(ck, `\`${name}\` has ${value.length} entries, more than ${max}`);
  return value;
}

/** An array of ID strings, at most `limits.maxListItems`; `nonEmpty` also rejects `[]`. */
export function checkIdList(
  ck: Check,
  json: JsonObject,
  name: string,
  options: { required?: boolean; nonEmpty?: boolean } = {},
): readonly string[] | undefined {
  const list = checkList(ck, json, name, ck.limits.maxListItems, options.required ?? options.nonEmpty);
  if (list === undefined) return undefined;
  if (options.nonEmpty && list.length === 0) fail(ck, `\`${name}\` must not be empty`);
  list.forEach((item, i) => checkIdValue(ck, item, `${name}[${i}]`));
  return list as string[];
}

/** An array of objects, at most `max`. */
export function checkObjectList(
  ck: Check,
  json: JsonObject,
  name: string,
  max: number,
  required = false,
): readonly JsonObject[] | undefined {
  const list = checkList(ck, json, name, max, required);
  if (list === undefined) return undefined;
  list.forEach((item, i) => {
    if (!isObject(item)) fail(ck, `\`${name}[${i}]\` must be an object, got ${kind(item)}`);
  });
  return list as JsonObject[];
}

/** An object whose values are all strings (e.g. ANS `records`, group `keys`). */
export function checkStringMap(ck: Check, json: JsonObject, name: string, required = false): JsonObject | undefined {
  const map = checkObject(ck, json, name, required);
  if (map === undefined) return undefined;
  const keys = Object.keys(map);
  if (keys.length > ck.limits.maxListItems)
    fail(ck, `\`${name}\` has ${keys.length} entries, more than ${ck.limits.maxListItems}`);
  for (const key of keys) {
    if (typeof map[key] !== 'string') fail(ck, `\`${name}.${key.slice(0, 64)}\` must be a string`);
  }
  return map;
}

/** A PNF value (wire spec §5.1): a string (URL, data URI, JSON text) or an object. */
export function checkPnf(ck: Check, json: JsonObject, name: string): void {
  const value = field(json, name);
  if (value === undefined) return;
  if (typeof value !== 'string' && !isObject(value))
    fail(ck, `\`${name}\` must be a URL string or an object, got ${kind(value)}`);
}
