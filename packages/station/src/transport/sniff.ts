import { hasBodyLength, readMtpHeader } from '@dimkit/protocol/mtp';

/**
 * What the first bytes of a connection are (station spec §1.2):
 * - `websocket`: an HTTP GET whose complete header block has an `Upgrade: websocket` or a
 *   `Sec-WebSocket-Key` header;
 * - `http`: any other well-formed HTTP/1.x request line (its header block complete, or longer than the limit);
 * - `mtp`: a valid MTP header with a body length at offset 0 (§1.4);
 * - `need-more`: a valid beginning of one of these;
 * - `unknown`: none of them can follow.
 */
export type SniffResult = 'websocket' | 'http' | 'mtp' | 'need-more' | 'unknown';

/** Default bound on the request line plus headers, the same as Node's `http` default. */
export const SNIFF_DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

const MAX_METHOD_LENGTH = 16;
const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;

function isUpperAlpha(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

/** Visible ASCII except space: what a request target may contain. */
function isTargetChar(c: number): boolean {
  return c > 0x20 && c < 0x7f;
}

/**
 * Checks the request line `METHOD SP target SP HTTP/d.d CRLF`. Returns the offset after its CRLF,
 * 0 if the bytes so far are a valid beginning of one, or -1 if they cannot be.
 */
function requestLineEnd(b: Uint8Array, limit: number): number {
  const n = Math.min(b.length, limit);
  let i = 0;
  while (i < n && isUpperAlpha(b[i]!)) i++;
  if (i === n) return i <= MAX_METHOD_LENGTH && n < limit ? 0 : -1;
  if (i === 0 || i > MAX_METHOD_LENGTH || b[i] !== SP) return -1;
  i++;
  const targetStart = i;
  while (i < n && isTargetChar(b[i]!)) i++;
  if (i === n) return n < limit ? 0 : -1;
  if (i === targetStart || b[i] !== SP) return -1;
  i++;
  const version = 'HTTP/1.';
  for (let k = 0; k < version.length; k++, i++) {
    if (i === n) return n < limit ? 0 : -1;
    if (b[i] !== version.charCodeAt(k)) return -1;
  }
  if (i === n) return n < limit ? 0 : -1;
  if (b[i]! < 0x30 || b[i]! > 0x39) return -1;
  i++;
  if (i === n) return n < limit ? 0 : -1;
  if (b[i] !== CR) return -1;
  i++;
  if (i === n) return n < limit ? 0 : -1;
  return b[i] === LF ? i + 1 : -1;
}

/** Offset of the blank line ending the header block (after its CRLF CRLF), searching from `from`, or -1. */
function headerBlockEnd(b: Uint8Array, from: number): number {
  // The request line's CRLF is directly before `from`: an empty header block ends at from + 2.
  if (b[from] === CR && b[from + 1] === LF) return from + 2;
  for (let at = b.indexOf(LF, from); at >= 0; at = b.indexOf(LF, at + 1)) {
    if (b[at + 1] === CR && b[at + 2] === LF) return at + 3;
  }
  return -1;
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** True if the header line at `start` has the (lower-case) name `name`, followed by optional spaces and `:`. */
function headerNameIs(b: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start <= name.length) return false;
  for (let k = 0; k < name.length; k++) if (lower(b[start + k]!) !== name.charCodeAt(k)) return false;
  let i = start + name.length;
  while (i < end && (b[i] === SP || b[i] === 0x09)) i++;
  return b[i] === 0x3a;
}

function containsLowerAscii(b: Uint8Array, start: number, end: number, word: string): boolean {
  outer: for (let i = start; i + word.length <= end; i++) {
    for (let k = 0; k < word.length; k++) if (lower(b[i + k]!) !== word.charCodeAt(k)) continue outer;
    return true;
  }
  return false;
}

/** True if one of the header lines in [from, end) announces a WebSocket upgrade. */
function announcesWebSocket(b: Uint8Array, from: number, end: number): boolean {
  let line = from;
  while (line < end) {
    let eol = b.indexOf(LF, line);
    if (eol < 0 || eol > end) eol = end;
    if (headerNameIs(b, line, eol, 'sec-websocket-key')) return true;
    if (headerNameIs(b, line, eol, 'upgrade') && containsLowerAscii(b, line + 8, eol, 'websocket')) return true;
    line = eol + 1;
  }
  return false;
}

function sniffHttp(b: Uint8Array, maxHeaderBytes: number): SniffResult {
  const lineEnd = requestLineEnd(b, maxHeaderBytes);
  if (lineEnd < 0) return 'unknown';
  if (lineEnd === 0) return 'need-more';
  const blockEnd = headerBlockEnd(b, lineEnd);
  if (blockEnd < 0) {
    // Too long to wait for: Node's HTTP parser answers 431 with the same limit.
    return b.length >= maxHeaderBytes ? 'http' : 'need-more';
  }
  const isGet = b[0] === 0x47 && b[1] === 0x45 && b[2] === 0x54 && b[3] === SP;
  return isGet && announcesWebSocket(b, lineEnd, blockEnd) ? 'websocket' : 'http';
}

function sniffMtp(b: Uint8Array): SniffResult {
  const head = readMtpHeader(b, 0);
  if (head === 'need-more') return 'need-more';
  if (head === 'invalid' || !hasBodyLength(head.headerLength)) return 'unknown';
  return 'mtp';
}

/**
 * Classifies the bytes received so far on a new connection (all of them, from the first). Unlike the
 * reference (§1.2), a request whose headers arrive in several chunks is recognised: call again with the
 * longer buffer while the answer is `need-more`. The caller bounds the wait with a deadline.
 */
export function sniff(bytes: Uint8Array, maxHeaderBytes: number = SNIFF_DEFAULT_MAX_HEADER_BYTES): SniffResult {
  if (bytes.length === 0) return 'need-more';
  const mtp = bytes[0] === 0x44 ? sniffMtp(bytes) : 'unknown';
  if (mtp === 'mtp') return mtp;
  const http = sniffHttp(bytes, maxHeaderBytes);
  return http !== 'unknown' ? http : mtp;
}
