import type { JsonObject, JsonValue } from '../encoding/json.js';
import { adoptLegacyName, hasOwn, isObject, jsonEqual, mirrorField, own, withField, withoutField } from './_fields.js';
import { conflictError } from './_errors.js';

/**
 * Receipt command envelope (wire spec §6.3, §7 item 5). Three generations:
 * - current: `origin` = the original envelope (sender, receiver, time, type, sn, signature, …);
 * - v1.0: the same object under `envelope`;
 * - oldest: `sender`, `receiver`, `sn`, `signature` of the original at the top level.
 * The Python app writes all three; JS writes only `origin`.
 */
const COPIED = ['sender', 'receiver', 'sn', 'signature'] as const;

function isSerialNumber(value: JsonValue | undefined): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 0x7fffffff;
}

/**
 * Incoming: `envelope` → `origin`; top-level `sender`/`receiver`/`signature` that merely copy
 * `origin` are dropped (top-level `sn` is the receipt's own `sn` and stays); the oldest form
 * (no `origin`, top-level `sender`) gets an `origin` built from those fields.
 * Throws DimError('command.format') when `origin` and `envelope` differ.
 */
export function receiptOriginFromWire(json: JsonObject): JsonObject {
  let out = adoptLegacyName(json, 'envelope', 'origin', conflictError('command.format', 'receipt'));
  const origin = own(out, 'origin');
  if (isObject(origin)) {
    for (const field of ['sender', 'receiver', 'signature']) {
      if (hasOwn(out, field) && hasOwn(origin, field) && jsonEqual(out[field], origin[field])) {
        out = withoutField(out, field);
      }
    }
    return out;
  }
  if (origin !== undefined || typeof own(out, 'sender') !== 'string') return out;
  // oldest form (2018): the original envelope's fields sit at the top level
  const built: [string, JsonValue][] = [];
  for (const field of COPIED) {
    const value = own(out, field);
    if (value !== undefined) built.push([field, value]);
    if (field !== 'sn') out = withoutField(out, field);
  }
  return withField(out, 'origin', Object.fromEntries(built));
}

/**
 * Outgoing: `origin` and `envelope` (same object), and `sender`, `receiver`, `sn`, `signature`
 * copied from it to the top level, as the Python app does. Note: this replaces the receipt's own
 * `sn` with the original's (only when that is a valid serial number), so a receipt read back has
 * the original's `sn`.
 */
export function receiptOriginToWire(json: JsonObject): JsonObject {
  const mirrored = mirrorField(json, 'origin', 'envelope');
  const origin = own(mirrored, 'origin');
  if (!isObject(origin)) return mirrored;
  // One private copy, then each field set on it: replaced where it is, appended otherwise (as `withField`).
  const out = mirrored === json ? { ...json } : mirrored;
  for (const field of COPIED) {
    const value = own(origin, field);
    if (value === undefined) continue;
    if (field === 'sn' && !isSerialNumber(value)) continue;
    out[field] = value;
  }
  return out;
}
