import { DimError } from '../errors.js';

/**
 * The little DER (ITU-T X.690) the key formats need: read TLVs with strict bounds, write
 * SEQUENCE / INTEGER / BIT STRING / OCTET STRING / NULL / OID. Reading untrusted key text
 * must never index out of range, so every length is checked against what is left.
 */

export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_NULL = 0x05;
export const TAG_OID = 0x06;
export const TAG_SEQUENCE = 0x30;

export interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
  /** Offset just past this element in the buffer it was read from. */
  readonly end: number;
}

function malformed(what: string): DimError {
  return new DimError('key.format', `malformed DER: ${what}`);
}

/** Reads one element at `pos`; throws DimError('key.format') if it does not fit. */
export function readTlv(buf: Uint8Array, pos: number): Tlv {
  if (pos + 2 > buf.length) throw malformed('truncated header');
  const tag = buf[pos]!;
  let length = buf[pos + 1]!;
  let p = pos + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 3) throw malformed('unsupported length form');
    if (p + count > buf.length) throw malformed('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[p++]!;
  }
  if (p + length > buf.length) throw malformed(`element of ${length} bytes overruns its container`);
  return { tag, value: buf.subarray(p, p + length), end: p + length };
}

/** Reads a whole buffer as a list of elements (the content of a SEQUENCE). */
export function readAll(buf: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const tlv = readTlv(buf, pos);
    out.push(tlv);
    pos = tlv.end;
  }
  return out;
}

/** Reads `buf` as exactly one element with the given tag (trailing bytes are an error). */
export function readOnly(buf: Uint8Array, tag: number, what: string): Tlv {
  const tlv = readTlv(buf, 0);
  if (tlv.tag !== tag) throw malformed(`${what}: expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  if (tlv.end !== buf.length) throw malformed(`${what}: trailing bytes`);
  return tlv;
}

/** Reads the children of a SEQUENCE element. */
export function sequenceItems(tlv: Tlv | undefined, what: string): Tlv[] {
  if (tlv === undefined || tlv.tag !== TAG_SEQUENCE) throw malformed(`${what}: expected a SEQUENCE`);
  return readAll(tlv.value);
}

/** A non-negative INTEGER as a bigint. */
export function readUnsigned(tlv: Tlv | undefined, what: string): bigint {
  if (tlv === undefined || tlv.tag !== TAG_INTEGER || tlv.value.length === 0)
    throw malformed(`${what}: expected an INTEGER`);
  if (tlv.value[0]! & 0x80) throw malformed(`${what}: negative INTEGER`);
  let hex = '';
  for (const b of tlv.value) hex += (b < 16 ? '0' : '') + b.toString(16);
  return BigInt('0x' + hex);
}

/** The bytes inside a BIT STRING with zero unused bits (how keys are wrapped). */
export function readBitStringBytes(tlv: Tlv | undefined, what: string): Uint8Array {
  if (tlv === undefined || tlv.tag !== TAG_BIT_STRING || tlv.value.length < 1 || tlv.value[0] !== 0)
    throw malformed(`${what}: expected a BIT STRING`);
  return tlv.value.subarray(1);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---- writing ----

function lengthBytes(length: number): number[] {
  if (length < 0x80) return [length];
  const out: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
  return [0x80 | out.length, ...out];
}

export function derElement(tag: number, ...parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const head = [tag, ...lengthBytes(size)];
  const out = new Uint8Array(head.length + size);
  out.set(head, 0);
  let pos = head.length;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** A non-negative INTEGER, minimally encoded (a 0x00 pad when the high bit is set). */
export function derUnsigned(n: bigint): Uint8Array {
  if (n < 0n) throw new RangeError(`derUnsigned: expected a non-negative integer`);
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return derElement(TAG_INTEGER, bytes);
}

export function derBitString(bytes: Uint8Array): Uint8Array {
  return derElement(TAG_BIT_STRING, new Uint8Array([0]), bytes);
}

export const DER_NULL = new Uint8Array([TAG_NULL, 0]);
