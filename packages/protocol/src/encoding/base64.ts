import { base64 } from '@scure/base';
import { DimError } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = 0x3d; // '='
/** Char code → 6-bit value; -1 for anything outside the standard alphabet (ASCII only). */
const VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

function value(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? VALUES[code]! : -1;
}

/** ASCII codes of the alphabet, for encoding into bytes. */
const CODES = new Uint8Array(64);
for (let i = 0; i < ALPHABET.length; i++) CODES[i] = ALPHABET.charCodeAt(i);
const ascii = new TextDecoder();
/** Reused output of the encoder for usual sizes: a fresh typed array per call costs more than the encoding. */
const scratch = new Uint8Array(16 * 1024);

/** Standard Base64 with `=` padding, no line breaks (what every reference writer emits). */
export function encodeBase64(bytes: Uint8Array): string {
  // Every message carries several Base64 fields: a table loop into ASCII bytes is several times
  // faster than the general radix conversion, with the same output.
  const length = bytes.length;
  const full = length - (length % 3);
  const size = Math.ceil(length / 3) * 4;
  const out = size <= scratch.length ? scratch : new Uint8Array(size);
  let o = 0;
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o++] = CODES[n >> 18]!;
    out[o++] = CODES[(n >> 12) & 63]!;
    out[o++] = CODES[(n >> 6) & 63]!;
    out[o++] = CODES[n & 63]!;
  }
  if (length > full) {
    const n = (bytes[full]! << 16) | (length - full === 2 ? bytes[full + 1]! << 8 : 0);
    out[o++] = CODES[n >> 18]!;
    out[o++] = CODES[(n >> 12) & 63]!;
    out[o++] = length - full === 2 ? CODES[(n >> 6) & 63]! : PAD;
    out[o] = PAD;
  }
  return ascii.decode(out.subarray(0, size));
}

const newBytes = (length: number): Uint8Array => new Uint8Array(length);

/**
 * Canonical padded Base64 (what writers emit: standard alphabet, `=` padding, zero pad bits, no
 * whitespace) decoded by table into `allocate(length)`; undefined for any other text, which
 * `decodeBase64` then reads by the general lenient rules (with their errors). For such text the
 * bytes are exactly what `decodeBase64` returns. Not exported from the area index: dkd uses the
 * `allocate` hook to decode message fields into shared memory.
 */
export function decodeCanonicalBase64(
  text: string,
  allocate: (length: number) => Uint8Array = newBytes,
): Uint8Array | undefined {
  const length = text.length;
  if (length % 4 !== 0) return undefined;
  let pad = 0;
  if (length > 0 && text.charCodeAt(length - 1) === PAD) pad = text.charCodeAt(length - 2) === PAD ? 2 : 1;
  const full = pad === 0 ? length : length - 4;
  let last = 0;
  if (pad > 0) {
    const a = value(text, full);
    const b = value(text, full + 1);
    const c = pad === 1 ? value(text, full + 2) : 0;
    // The bits after the last byte must be zero (RFC 4648 §3.5), as the general decoder requires.
    if ((a | b | c) < 0 || (pad === 2 ? b & 0x0f : c & 0x03) !== 0) return undefined;
    last = (a << 18) | (b << 12) | (c << 6);
  }
  const out = allocate((length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < full; i += 4) {
    const a = value(text, i);
    const b = value(text, i + 1);
    const c = value(text, i + 2);
    const d = value(text, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (pad > 0) {
    out[o++] = last >> 16;
    if (pad === 1) out[o] = (last >> 8) & 0xff;
  }
  return out;
}

/**
 * Reads Base64 leniently, as reference readers do: ASCII whitespace and line breaks are
 * ignored, and missing `=` padding is restored. Throws DimError('encoding.base64').
 * (Prefixes such as `base64,` and data URIs are handled by `decodeTed`.)
 */
export function decodeBase64(text: string): Uint8Array {
  const canonical = decodeCanonicalBase64(text);
  if (canonical !== undefined) return canonical;
  let clean = text.replace(/[\s]+/g, '');
  const rem = clean.length % 4;
  if (rem === 1) throw new DimError('encoding.base64', `invalid Base64 length ${clean.length}`);
  if (rem > 0) clean += '='.repeat(4 - rem);
  try {
    return base64.decode(clean);
  } catch (cause) {
    throw new DimError('encoding.base64', 'invalid Base64 text', { cause });
  }
}
