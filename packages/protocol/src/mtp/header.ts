/**
 * The MTP ("DIM") package header, station spec §1.4 (moky/wormhole `udp/mtp/header.py`).
 *
 * ```
 * byte 0..2 : 'D' 'I' 'M'
 * byte 3    : high nibble = header length in 32-bit words (1..6), low nibble = data type
 * [8]  SN (transaction ID)            when the header is 12, 16, 20 or 24 bytes
 * [4+4] fragment pages, index         when the header is 20 or 24 bytes
 * [4]  body length                    when the header is 8, 16 or 24 bytes
 * ```
 * All integers are big-endian. Only the forms that carry a body length (8, 16, 24 bytes) can frame
 * a TCP stream; the others are UDP forms whose body is "the rest of the datagram".
 */

/** Data types of the low nibble of byte 3 (§1.4): bit 0 = response, bit 3 = fragment. */
export const MtpDataType = {
  Command: 0x00,
  CommandResponse: 0x01,
  Message: 0x02,
  MessageResponse: 0x03,
  MessageFragment: 0x0a,
} as const;
export type MtpDataType = (typeof MtpDataType)[keyof typeof MtpDataType];

export type MtpHeaderLength = 4 | 8 | 12 | 16 | 20 | 24;

export interface MtpHeader {
  readonly headerLength: MtpHeaderLength;
  readonly type: MtpDataType;
  /** Transaction ID; undefined in the 4- and 8-byte forms (the reference then uses zero). */
  readonly sn: bigint | undefined;
  /** Fragment count; 1 unless the header has the pages/index fields. */
  readonly pages: number;
  /** Fragment index, 0 <= index < pages. */
  readonly index: number;
  /** Body length in bytes, or -1 when the header has no length field (UDP forms). */
  readonly bodyLength: number;
}

/** Reference limits (§1.4): a package body is at most 1 GiB, split into at most 2^21 pages. */
export const MTP_MAX_BODY_LENGTH = 1024 * 1024 * 1024;
export const MTP_MAX_PAGES = 2 * 1024 * 1024;
/** The longest header form. */
export const MTP_MAX_HEADER_LENGTH = 24;

const D = 0x44;
const I = 0x49;
const M = 0x4d;

/** True for the low nibbles the reference registers as data types (others make the header invalid). */
function isDataType(nibble: number): nibble is MtpDataType {
  return nibble <= 0x03 || nibble === 0x0a;
}

/** True for the header forms that carry a body length and so can frame a stream. */
export function hasBodyLength(headerLength: MtpHeaderLength): boolean {
  return headerLength === 8 || headerLength === 16 || headerLength === 24;
}

function u32(bytes: Uint8Array, at: number): number {
  // Multiplying the top byte avoids the sign bit that `<< 24` would set.
  return bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);
}

function u64(bytes: Uint8Array, at: number): bigint {
  return (BigInt(u32(bytes, at)) << 32n) | BigInt(u32(bytes, at + 4));
}

/**
 * Reads a header at `offset`. Returns the header, `'need-more'` when the bytes so far are a valid
 * beginning of a header but too short, or `'invalid'` when they cannot start one (wrong magic,
 * length nibble outside 1..6, unknown data type, pages/index/body length out of the §1.4 limits).
 * Never throws on any byte content.
 */
export function readMtpHeader(bytes: Uint8Array, offset = 0): MtpHeader | 'need-more' | 'invalid' {
  const available = bytes.length - offset;
  if (available <= 0) return 'need-more';
  if (bytes[offset] !== D) return 'invalid';
  if (available < 2) return 'need-more';
  if (bytes[offset + 1] !== I) return 'invalid';
  if (available < 3) return 'need-more';
  if (bytes[offset + 2] !== M) return 'invalid';
  if (available < 4) return 'need-more';
  const b3 = bytes[offset + 3]!;
  const words = b3 >> 4;
  const type = b3 & 0x0f;
  if (words < 1 || words > 6 || !isDataType(type)) return 'invalid';
  const headerLength = (words * 4) as MtpHeaderLength;
  if (available < headerLength) return 'need-more';

  let sn: bigint | undefined;
  let pages = 1;
  let index = 0;
  let bodyLength = -1;
  const p = offset + 4;
  switch (headerLength) {
    case 4:
      break;
    case 8:
      bodyLength = u32(bytes, p);
      break;
    case 12:
      sn = u64(bytes, p);
      break;
    case 16:
      sn = u64(bytes, p);
      bodyLength = u32(bytes, p + 8);
      break;
    case 20:
      sn = u64(bytes, p);
      pages = u32(bytes, p + 8);
      index = u32(bytes, p + 12);
      break;
    case 24:
      sn = u64(bytes, p);
      pages = u32(bytes, p + 8);
      index = u32(bytes, p + 12);
      bodyLength = u32(bytes, p + 16);
      break;
  }
  if (pages < 1 || pages > MTP_MAX_PAGES || index >= pages) return 'invalid';
  if (bodyLength > MTP_MAX_BODY_LENGTH) return 'invalid';
  return { headerLength, type, sn, pages, index, bodyLength };
}

/** What to put in a header; the form (length) follows from which fields are present. */
export interface MtpHeaderInit {
  readonly type: MtpDataType;
  /** Present → 16/24-byte form (12/20 without body length). */
  readonly sn?: bigint;
  /** Present (with `index`) → 24-byte form (20 without body length); requires `sn`. */
  readonly pages?: number;
  readonly index?: number;
  /** Present → a form with a length field; omit only for the UDP forms. */
  readonly bodyLength?: number;
}

const U64_MAX = (1n << 64n) - 1n;

function putU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

/**
 * Encodes a header. Throws RangeError for values outside §1.4 (a caller's bug): SN outside
 * 0..2^64-1, pages outside 1..2^21, index >= pages, body length outside 0..1 GiB, pages without SN.
 */
export function encodeMtpHeader(init: MtpHeaderInit): Uint8Array {
  const { type, sn, pages, index, bodyLength } = init;
  if (!isDataType(type)) throw new RangeError(`MTP header: expected a data type of §1.4, got ${String(type)}`);
  if (sn !== undefined && (typeof sn !== 'bigint' || sn < 0n || sn > U64_MAX)) {
    throw new RangeError(`MTP header: expected a 64-bit unsigned SN, got ${String(sn)}`);
  }
  const fragment = pages !== undefined || index !== undefined;
  if (fragment) {
    if (sn === undefined) throw new RangeError('MTP header: pages/index need an SN');
    const pg = pages ?? 1;
    const ix = index ?? 0;
    if (!Number.isInteger(pg) || pg < 1 || pg > MTP_MAX_PAGES) {
      throw new RangeError(`MTP header: expected pages in 1..${MTP_MAX_PAGES}, got ${pg}`);
    }
    if (!Number.isInteger(ix) || ix < 0 || ix >= pg) {
      throw new RangeError(`MTP header: expected index in 0..${pg - 1}, got ${ix}`);
    }
  }
  if (
    bodyLength !== undefined &&
    (!Number.isInteger(bodyLength) || bodyLength < 0 || bodyLength > MTP_MAX_BODY_LENGTH)
  ) {
    throw new RangeError(`MTP header: expected body length in 0..${MTP_MAX_BODY_LENGTH}, got ${bodyLength}`);
  }
  const length = 4 + (sn !== undefined ? 8 : 0) + (fragment ? 8 : 0) + (bodyLength !== undefined ? 4 : 0);
  const out = new Uint8Array(length);
  out[0] = D;
  out[1] = I;
  out[2] = M;
  out[3] = ((length / 4) << 4) | type;
  let at = 4;
  if (sn !== undefined) {
    putU32(out, at, Number(sn >> 32n));
    putU32(out, at + 4, Number(sn & 0xffffffffn));
    at += 8;
  }
  if (fragment) {
    putU32(out, at, pages ?? 1);
    putU32(out, at + 4, index ?? 0);
    at += 8;
  }
  if (bodyLength !== undefined) putU32(out, at, bodyLength);
  return out;
}

/** Header (with body length) followed by the body, in one new array. For tests and clients. */
export function encodeMtpFrame(init: Omit<MtpHeaderInit, 'bodyLength'>, body: Uint8Array): Uint8Array {
  const header = encodeMtpHeader({ ...init, bodyLength: body.length });
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}
