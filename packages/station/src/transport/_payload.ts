/**
 * What a frame's payload means before DIM processing (station spec §1.3, §1.6, §1.7). Shared by the
 * WebSocket and MTP connections so the core only ever sees DIM messages.
 */

const LF = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;

/** Heartbeat and filler words a peer may send instead of a DIM message (§1.3). */
export type ControlWord = 'PING' | 'PONG' | 'NOOP' | 'OK';

function is(bytes: Uint8Array, word: string): boolean {
  if (bytes.length !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[i] !== word.charCodeAt(i)) return false;
  return true;
}

/** The control word the payload is exactly, or undefined. Only 2- and 4-byte payloads are compared. */
export function controlWord(bytes: Uint8Array): ControlWord | undefined {
  if (bytes.length === 4) {
    if (is(bytes, 'PING')) return 'PING';
    if (is(bytes, 'PONG')) return 'PONG';
    if (is(bytes, 'NOOP')) return 'NOOP';
  } else if (bytes.length === 2 && is(bytes, 'OK')) {
    return 'OK';
  }
  return undefined;
}

/** True if the payload starts with `ACK:` (§1.7, WebSocket delivery acknowledgement). */
export function isAck(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x41 && bytes[1] === 0x43 && bytes[2] === 0x4b && bytes[3] === 0x3a;
}

/**
 * Calls `fn` for each DIM message in a payload (§1.6): a payload starting with `{` is "JSON in lines",
 * split on LF (empty and CR-only lines are skipped); any other payload is one message. The pieces are
 * views of `bytes`, not copies. `target` is passed through to `fn` so callers need no closure per payload.
 */
export function forEachMessage<T>(bytes: Uint8Array, target: T, fn: (target: T, message: Uint8Array) => void): void {
  if (bytes[0] !== OPEN_BRACE) {
    fn(target, bytes);
    return;
  }
  let start = 0;
  const n = bytes.length;
  while (start < n) {
    let end = bytes.indexOf(LF, start);
    if (end < 0) end = n;
    // Fast path: a single line is the whole payload.
    if (start === 0 && end === n) {
      fn(target, bytes);
      return;
    }
    const len = end - start;
    if (len > 0 && !(len === 1 && bytes[start] === CR)) fn(target, bytes.subarray(start, end));
    start = end + 1;
  }
}

const decoder = new TextDecoder();

function indexOfBytes(data: Uint8Array, ascii: string, from: number): number {
  // Buffer's native search: a message's Base64 is full of the tag's first letter, so a byte-by-byte scan is slow.
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).indexOf(ascii, from, 'latin1');
}

function strip(data: Uint8Array, byte: number): Uint8Array {
  let s = 0;
  let e = data.length;
  while (e > s && data[e - 1] === byte) e--;
  while (s < e && data[s] === byte) s++;
  return data.subarray(s, e);
}

/**
 * The reference clients' value scan (§1.7), reproduced because ACKs carry what it extracts: find the
 * first occurrence of `tag` anywhere, skip to the next `:`, read up to the next `,` (else `}`), then
 * strip spaces, double quotes and single quotes from both ends. The first match may be a nested field.
 */
export function naiveValue(data: Uint8Array, tag: string): string | undefined {
  let pos = indexOfBytes(data, tag, 0);
  if (pos < 0) return undefined;
  pos = data.indexOf(0x3a, pos + tag.length);
  if (pos < 0) return undefined;
  pos += 1;
  let end = data.indexOf(0x2c, pos);
  if (end < 0) end = data.indexOf(0x7d, pos);
  if (end < 0) return undefined;
  const value = strip(strip(strip(data.subarray(pos, end), 0x20), 0x22), 0x27);
  return decoder.decode(value);
}

function isBase64Char(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2b || // +
    c === 0x2f || // /
    c === 0x3d || // =
    c === 0x2d || // - (base64url)
    c === 0x5f // _ (base64url)
  );
}

/** A string that is all Base64 (or Base64url) characters: its own ACK key, the usual case. */
const BASE64_RUN = /^[A-Za-z0-9+/=_-]+$/;

/**
 * The key an acknowledged signature is matched by: its first run of Base64 (or Base64url) characters.
 * The naive scan can leave JSON punctuation around a signature: `MEQ…=="}` when the first `signature` is
 * the last field of a nested visa, `\"MEQ…==\"}` when it sits in a JSON string (a broadcast's `data`).
 * Both the outgoing payload and the client's ACK reduce to the same key this way.
 */
export function ackToken(signature: string): string {
  if (BASE64_RUN.test(signature)) return signature;
  let start = 0;
  while (start < signature.length && !isBase64Char(signature.charCodeAt(start))) start++;
  let end = start;
  while (end < signature.length && isBase64Char(signature.charCodeAt(end))) end++;
  return start === 0 && end === signature.length ? signature : signature.slice(start, end);
}

const SIGNATURE_KEY = '"signature"';

/**
 * The usual ACK read without a JSON parser: exactly one `"signature"` key (not after a backslash), then `:` and a
 * quoted run of Base64 characters. Undefined for anything else, which the full parse then reads.
 */
function plainSignatureField(body: Uint8Array): string | undefined {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const at = buf.indexOf(SIGNATURE_KEY, 0, 'latin1');
  if (at <= 0 || buf[at - 1] === 0x5c || buf.indexOf(SIGNATURE_KEY, at + 1, 'latin1') >= 0) return undefined;
  let i = at + SIGNATURE_KEY.length;
  while (buf[i] === 0x20) i++;
  if (buf[i++] !== 0x3a) return undefined;
  while (buf[i] === 0x20) i++;
  if (buf[i++] !== 0x22) return undefined;
  const start = i;
  while (i < buf.length && isBase64Char(buf[i]!)) i++;
  if (i === start || buf[i] !== 0x22) return undefined;
  return buf.toString('latin1', start, i);
}

/**
 * The signature an `ACK:{"time":…,"signature":"…"}` payload acknowledges, reduced by `ackToken`, or
 * undefined. JSON is parsed properly first; if that fails (a naive-scan value may carry quotes) the
 * reference's naive scan is used.
 */
export function ackSignature(bytes: Uint8Array): string | undefined {
  const body = bytes.subarray(4);
  const quick = plainSignatureField(body);
  if (quick !== undefined) return quick;
  let signature: unknown;
  try {
    const parsed: unknown = JSON.parse(decoder.decode(body));
    if (typeof parsed === 'object' && parsed !== null) signature = (parsed as Record<string, unknown>)['signature'];
  } catch {
    signature = naiveValue(body, 'signature');
  }
  if (typeof signature !== 'string') return undefined;
  const token = ackToken(signature);
  return token.length > 0 ? token : undefined;
}
