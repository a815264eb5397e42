import { messageFromWire } from '../compat/index.js';
import { DimError } from '../errors.js';
import { isJsonObject, parseJson, type JsonObject } from '../encoding/json.js';
import { decodeUtf8 } from '../encoding/utf8.js';
import type { ReliableMessage } from './message.js';

/** Largest message accepted by default: 4 MiB of JSON (inline file data makes messages big). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Most keys a `keys` map may carry (one per group member). */
export const MAX_KEYS_ENTRIES = 4096;

export interface ParseMessageOptions {
  /** Maximum size in bytes of the serialized message; default MAX_MESSAGE_BYTES. */
  readonly maxBytes?: number;
}

function fail(message: string): never {
  throw new DimError('message.format', message);
}

function requireString(json: JsonObject, field: string): string {
  const value = json[field];
  if (typeof value !== 'string' || value.length === 0) fail(`\`${field}\`: expected a non-empty string`);
  return value;
}

function readTime(json: JsonObject): number {
  const value = json['time'];
  const time = typeof value === 'string' ? Number(value) : value;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) fail('`time`: expected seconds since 1970');
  return time;
}

/**
 * Reads a reliable message from its wire text or bytes (or an already parsed object):
 * checks size, then JSON shape; expands short keys (§4.10); requires `sender`, `data` and
 * `signature`; a missing `receiver` means `anyone@anywhere` (§4.1). Unknown fields are kept.
 * Throws DimError('message.size' | 'message.format' | 'encoding.*').
 */
export function parseReliableMessage(
  input: string | Uint8Array | unknown,
  options: ParseMessageOptions = {},
): ReliableMessage {
  const maxBytes = options.maxBytes ?? MAX_MESSAGE_BYTES;
  let value: unknown = input;
  if (input instanceof Uint8Array) {
    if (input.length > maxBytes)
      throw new DimError('message.size', `message of ${input.length} bytes exceeds ${maxBytes}`);
    value = parseJson(decodeUtf8(input));
  } else if (typeof input === 'string') {
    // A UTF-16 length bounds the UTF-8 length from below by 1/3 of... keep it simple: chars ≤ bytes.
    if (input.length > maxBytes)
      throw new DimError('message.size', `message of ${input.length} chars exceeds ${maxBytes}`);
    value = parseJson(input);
  }
  if (!isJsonObject(value)) fail('expected a JSON object');
  const json = messageFromWire(value);
  const sender = requireString(json, 'sender');
  const receiver = json['receiver'] === undefined ? 'anyone@anywhere' : requireString(json, 'receiver');
  const time = readTime(json);
  requireString(json, 'data');
  requireString(json, 'signature');
  for (const field of ['key', 'IV', 'group'] as const) {
    if (json[field] !== undefined) requireString(json, field);
  }
  const keys = json['keys'];
  if (keys !== undefined) {
    if (!isJsonObject(keys)) fail('`keys`: expected an object');
    const entries = Object.keys(keys);
    if (entries.length > MAX_KEYS_ENTRIES) fail(`\`keys\`: ${entries.length} entries exceed ${MAX_KEYS_ENTRIES}`);
    for (const name of entries) {
      if (typeof keys[name] !== 'string') fail(`\`keys.${name}\`: expected a Base64 string`);
    }
  }
  for (const field of ['meta', 'visa'] as const) {
    if (json[field] !== undefined && json[field] !== null && !isJsonObject(json[field]))
      fail(`\`${field}\`: expected an object`);
  }
  return { ...json, sender, receiver, time } as ReliableMessage;
}

/** Serializes a message as compact JSON (the form JS reference clients write). */
export function serializeMessage(message: Readonly<JsonObject>): string {
  return JSON.stringify(message);
}
