import { DimError } from '../errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses JSON text; throws DimError('encoding.json') on bad syntax. */
export function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    throw new DimError('encoding.json', `invalid JSON (${text.length} chars)`, { cause });
  }
}

/** Parses JSON text that must be an object; throws DimError('encoding.json') otherwise. */
export function parseJsonObject(text: string, what = 'value'): JsonObject {
  const value = parseJson(text);
  if (!isJsonObject(value)) throw new DimError('encoding.json', `${what}: expected a JSON object`);
  return value;
}
