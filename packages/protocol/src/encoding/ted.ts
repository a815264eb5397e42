import { DimError } from '../errors.js';
import { decodeBase58 } from './base58.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { decodeHex } from './hex.js';
import { isJsonObject, parseJsonObject } from './json.js';

/**
 * TED ("transportable encoded data", wire spec §1): how binary values travel in JSON.
 * We always write plain Base64; we read every form the reference readers accept.
 */

/** Plain standard Base64 with padding: the only form any reference writer emits (wire spec §1). */
export function encodeTed(bytes: Uint8Array): string {
  return encodeBase64(bytes);
}

function decodeWith(algorithm: string, data: string): Uint8Array {
  try {
    switch (algorithm.toLowerCase()) {
      case 'base64':
        return decodeBase64(data);
      case 'base58':
        return decodeBase58(data);
      case 'hex':
        return decodeHex(data);
    }
  } catch (cause) {
    throw new DimError('encoding.ted', `TED: data is not valid ${algorithm}`, { cause });
  }
  throw new DimError('encoding.ted', `TED: unknown encoding "${algorithm.slice(0, 32)}"`);
}

function decodeObject(value: Record<string, unknown>): Uint8Array {
  const { algorithm, data } = value;
  if (typeof data !== 'string') throw new DimError('encoding.ted', 'TED object: "data" must be a string');
  if (algorithm !== undefined && typeof algorithm !== 'string')
    throw new DimError('encoding.ted', 'TED object: "algorithm" must be a string');
  return decodeWith(algorithm ?? 'base64', data);
}

/**
 * Reads a TED value (wire spec §1):
 * - plain Base64 (whitespace and line breaks ignored, padding optional);
 * - `base64,…`, `base58,…`, `hex,…` (algorithm prefix);
 * - `data:<mime>;base64,…` (RFC 2397 data URI);
 * - a JSON object `{algorithm, data}`, or its JSON text.
 * URLs (`…://…`) and anything else throw DimError('encoding.ted'); so does data that does not
 * decode under its algorithm (the underlying error is the `cause`).
 */
export function decodeTed(value: unknown): Uint8Array {
  if (isJsonObject(value)) return decodeObject(value);
  if (typeof value !== 'string') throw new DimError('encoding.ted', `TED: expected a string, got ${typeof value}`);
  const text = value.trim();
  if (text.startsWith('{') && text.endsWith('}')) {
    let object;
    try {
      object = parseJsonObject(text, 'TED');
    } catch (cause) {
      throw new DimError('encoding.ted', 'TED: invalid JSON object text', { cause });
    }
    return decodeObject(object);
  }
  if (text.includes('://')) throw new DimError('encoding.ted', 'TED: a URL is not inline data');
  const comma = text.indexOf(',');
  if (comma < 0) return decodeWith('base64', text);
  // `[data:][<mime>;]<algorithm>,<data>`
  let header = text.slice(0, comma);
  if (header.startsWith('data:')) header = header.slice(5);
  const semicolon = header.lastIndexOf(';');
  if (semicolon >= 0) header = header.slice(semicolon + 1);
  return decodeWith(header, text.slice(comma + 1));
}
