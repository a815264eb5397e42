import { encodeBase64 } from '../encoding/base64.js';
import { isJsonObject, parseJson, type JsonObject, type JsonValue } from '../encoding/json.js';
import { decodeTed } from '../encoding/ted.js';
import { encodeUtf8 } from '../encoding/utf8.js';
import { DimError } from '../errors.js';

/**
 * PNF, "portable network file" (wire spec §5.1): how avatars, icons, thumbnails and snapshots
 * travel. On the wire it is a plain string (a URL, or a `data:` URI for small inline files) or an
 * object with `URL`, `filename`, `data` (TED), `key`/`password` (the key that decrypts the
 * downloaded bytes) and any other fields.
 */
export interface Pnf {
  /** Where to download the file (never a `data:` URI: inline bytes are in `data`). */
  readonly url?: string;
  /** Inline file bytes (from `data` or a `data:` URI). */
  readonly data?: Uint8Array;
  /** MIME type of inline bytes, from a `data:` URI (e.g. `image/jpeg`). */
  readonly mimeType?: string;
  readonly filename?: string;
  /** Symmetric key dict that decrypts the downloaded bytes (`key`, legacy `password`). */
  readonly key?: JsonObject;
  /** Other fields of an object PNF (e.g. `IV`), kept as they came. */
  readonly extra?: JsonObject;
}

/** Longest PNF string accepted by `parsePnf` by default (16 MiB of text). */
export const MAX_PNF_LENGTH = 16 * 1024 * 1024;

const TED_PREFIX = /^(base64|base58|hex),/i;
const KNOWN = new Set(['URL', 'filename', 'data', 'key', 'password']);

function fail(message: string): never {
  throw new DimError('content.format', `PNF: ${message}`);
}

/** `data:[<mime>][;param…][;base64],<data>` (RFC 2397). */
function parseDataUri(text: string): { data: Uint8Array; mimeType?: string } {
  const comma = text.indexOf(',');
  if (comma < 0) fail('a data: URI without a comma');
  const params = text.slice(5, comma).split(';');
  const payload = text.slice(comma + 1);
  const base64 = params[params.length - 1]!.toLowerCase() === 'base64';
  const mimeType = params[0]!.includes('/') ? params[0]!.toLowerCase() : undefined;
  let data: Uint8Array;
  if (base64) {
    data = decodeTed(payload);
  } else {
    try {
      data = encodeUtf8(decodeURIComponent(payload));
    } catch (cause) {
      throw new DimError('content.format', 'PNF: a data: URI with bad percent-encoding', { cause });
    }
  }
  return mimeType === undefined ? { data } : { data, mimeType };
}

function parseObject(json: JsonObject): Pnf {
  const get = (k: string): JsonValue | undefined =>
    Object.prototype.hasOwnProperty.call(json, k) ? json[k] : undefined;
  const url = get('URL');
  const filename = get('filename');
  const data = get('data');
  if (url !== undefined && typeof url !== 'string') fail('`URL` must be a string');
  if (filename !== undefined && typeof filename !== 'string') fail('`filename` must be a string');
  if (url === undefined && filename === undefined && data === undefined) fail('needs `URL`, `data` or `filename`');
  const key = get('key') ?? get('password');
  if (key !== undefined && !isJsonObject(key)) fail('`key` must be a key object');
  const password = get('password');
  if (password !== undefined && JSON.stringify(password) !== JSON.stringify(key)) fail('`key` and `password` differ');
  const out: { -readonly [K in keyof Pnf]: Pnf[K] } = {};
  if (url !== undefined) {
    if (url.startsWith('data:') && data === undefined) Object.assign(out, parseDataUri(url));
    else out.url = url;
  }
  if (data !== undefined) {
    if (typeof data === 'string' && data.startsWith('data:')) Object.assign(out, parseDataUri(data));
    else out.data = decodeTed(data);
  }
  if (filename !== undefined) out.filename = filename;
  if (key !== undefined) out.key = key;
  const extra = Object.entries(json).filter(([k]) => !KNOWN.has(k));
  if (extra.length > 0) out.extra = Object.fromEntries(extra);
  return out;
}

/**
 * Reads a PNF (wire spec §5.1), as reference readers do: an object as it is; `{…}` text as JSON;
 * a `data:` URI as inline bytes; `base64,…` (or `base58,`/`hex,`) as inline bytes; any other
 * string (normally containing `://`) as a URL.
 * Throws DimError('content.format') on another shape or a string longer than `maxLength`, and
 * DimError('encoding.ted') when inline data does not decode.
 */
export function parsePnf(value: unknown, maxLength: number = MAX_PNF_LENGTH): Pnf {
  if (isJsonObject(value)) return parseObject(value);
  if (typeof value !== 'string') fail(`expected a string or an object, got ${value === null ? 'null' : typeof value}`);
  if (value.length > maxLength) fail(`${value.length} characters, more than ${maxLength}`);
  const text = value.trim();
  if (text.length === 0) fail('empty string');
  if (text.startsWith('{') && text.endsWith('}')) {
    const json = parseJson(text);
    if (!isJsonObject(json)) fail('expected a JSON object');
    return parseObject(json);
  }
  if (text.startsWith('data:')) return parseDataUri(text);
  if (!text.includes('://') && TED_PREFIX.test(text)) return { data: decodeTed(text) };
  return { url: text };
}

function dataText(pnf: Pnf, data: Uint8Array): string {
  const base64 = encodeBase64(data);
  return pnf.mimeType === undefined ? base64 : `data:${pnf.mimeType};base64,${base64}`;
}

/**
 * Writes a PNF the way reference writers do (§5.1): a plain URL string when it has only a URL; a
 * `data:` URI string when it has only inline bytes with a MIME type; otherwise an object with
 * `URL`, `filename`, `data` (Base64, or a `data:` URI when there is a MIME type), the key as both
 * `key` and `password`, then the `extra` fields. (The reference also drops a `filename` next to a
 * lone URL to write a string; dimkit keeps it, as an object, which every reader accepts.)
 */
export function formatPnf(pnf: Pnf): string | JsonObject {
  const onlyUrl = pnf.data === undefined && pnf.filename === undefined && pnf.key === undefined;
  const noExtra = pnf.extra === undefined || Object.keys(pnf.extra).length === 0;
  if (pnf.url !== undefined && onlyUrl && noExtra) return pnf.url;
  if (pnf.data !== undefined && pnf.mimeType !== undefined && pnf.url === undefined && pnf.filename === undefined) {
    if (pnf.key === undefined && noExtra) return dataText(pnf, pnf.data);
  }
  const entries: [string, JsonValue][] = [];
  if (pnf.url !== undefined) entries.push(['URL', pnf.url]);
  if (pnf.filename !== undefined) entries.push(['filename', pnf.filename]);
  if (pnf.data !== undefined) entries.push(['data', dataText(pnf, pnf.data)]);
  if (pnf.key !== undefined) entries.push(['key', pnf.key], ['password', pnf.key]);
  for (const [k, v] of Object.entries(pnf.extra ?? {})) {
    if (!KNOWN.has(k)) entries.push([k, v]);
  }
  if (entries.length === 0) throw new TypeError('formatPnf: a PNF needs a url, data or filename');
  return Object.fromEntries(entries);
}
