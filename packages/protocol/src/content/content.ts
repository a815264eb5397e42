import type { JsonObject, JsonValue } from '../encoding/json.js';
import { MAX_CONTENT_TYPE } from './content-type.js';
import { isSerialNumber, nextSerialNumber } from './serial-number.js';

/**
 * A content in dimkit's canonical form (wire spec §4.2): a plain JSON object with `type` a JSON
 * integer, `sn` a non-zero uint31, `time` float seconds (absent only on 2018-era contents),
 * optional `group` (the hidden, authoritative group), and the fields of its type under their
 * current names. Unknown fields are kept as they came. Produced by `parseContent` (from the wire)
 * or by the `create…` functions; turned into what deployed peers expect by `contentToWire`.
 */
export type Content = Readonly<JsonObject> & {
  readonly type: number;
  readonly sn: number;
  readonly time?: number;
  readonly group?: string;
};

/** Common options of every `create…` function: defaults are a fresh serial number and now. */
export interface ContentOptions {
  /** Serial number, 1 … 2³¹−1; default `nextSerialNumber()`. */
  readonly sn?: number;
  /** Seconds since 1970 (float); default `Date.now() / 1000`. */
  readonly time?: number;
  /** The group conversation this content belongs to (§4.2). */
  readonly group?: string;
}

/** Fields whose value is `undefined` are left out, so optional parameters never write `null`s. */
export type ContentFields = { readonly [key: string]: JsonValue | undefined };

/**
 * Builds a content of any `type` (the constructor behind every `create…` function; use it for
 * types dimkit has no constructor for): `{type, sn, time, …fields, group}`, in that key order.
 * Throws RangeError on a bad `type`, `sn` or `time`, TypeError on a non-string `group`
 * (a caller's bug, not bad data).
 */
export function createContent(type: number, fields: ContentFields = {}, options: ContentOptions = {}): Content {
  if (!Number.isInteger(type) || type < 0 || type > MAX_CONTENT_TYPE) {
    throw new RangeError(`content type: expected an integer 0 … 2^31−1, got ${type}`);
  }
  const sn = options.sn ?? nextSerialNumber();
  if (!isSerialNumber(sn)) throw new RangeError(`sn: expected an integer 1 … 2^31−1, got ${sn}`);
  const time = options.time ?? Date.now() / 1000;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
    throw new RangeError(`time: expected seconds since 1970, got ${time}`);
  }
  const group = options.group ?? fields['group'];
  if (group !== undefined && typeof group !== 'string') throw new TypeError('group: expected an ID string');
  const content: JsonObject = { type, sn, time };
  for (const key in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    const value = fields[key];
    if (value === undefined || key === 'type' || key === 'sn' || key === 'time' || key === 'group') continue;
    // `__proto__` stays an own data key, as Object.fromEntries would make it.
    if (key === '__proto__')
      Object.defineProperty(content, key, { value, writable: true, enumerable: true, configurable: true });
    else content[key] = value;
  }
  if (group !== undefined) content['group'] = group;
  return content as Content;
}

/** Throws TypeError unless `value` is a string (constructor argument checks). */
export function requireArgString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`${name}: expected a string, got ${typeof value}`);
  return value;
}

/** `fields` without the entries whose value is `undefined`. */
export function definedFields(fields: ContentFields): JsonObject {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as JsonObject;
}
