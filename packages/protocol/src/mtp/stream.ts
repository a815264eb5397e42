import { hasBodyLength, MTP_MAX_BODY_LENGTH, MTP_MAX_HEADER_LENGTH, readMtpHeader } from './header.js';
import type { MtpHeader } from './header.js';

/** One MTP package from a stream. `body` may be a view into a larger received chunk: never mutate it. */
export interface MtpFrame {
  readonly header: MtpHeader;
  readonly body: Uint8Array;
}

/**
 * Why a stream was given up (these are also the connection close reasons):
 * - `limit.payload`: a header declared a body longer than `maxBodyBytes` (checked before buffering);
 * - `protocol.mtp`: more than `maxGarbageBytes` bytes in a row were not MTP.
 */
export type MtpStreamError = 'limit.payload' | 'protocol.mtp';

export interface MtpStreamOptions {
  /** Largest body accepted, 0..1 GiB. */
  readonly maxBodyBytes: number;
  /** Bytes that may be dropped in a row while looking for the next header. Default 65,536 (the reference's bound). */
  readonly maxGarbageBytes?: number;
}

export const MTP_DEFAULT_MAX_GARBAGE_BYTES = 65_536;

const D = 0x44;
const I = 0x49;
const M = 0x4d;

/** Index of the next "DIM" at or after `from`, or -1. */
function findMagic(buf: Uint8Array, from: number): number {
  const last = buf.length - 3;
  let at = from;
  while (at <= last) {
    at = buf.indexOf(D, at);
    if (at < 0 || at > last) return -1;
    if (buf[at + 1] === I && buf[at + 2] === M) return at;
    at++;
  }
  return -1;
}

/** Where to keep bytes from when no magic was found: a trailing "D" or "DI" may begin the next header. */
function partialMagicStart(buf: Uint8Array, from: number): number {
  const n = buf.length;
  if (n - 2 >= from && buf[n - 2] === D && buf[n - 1] === I) return n - 2;
  if (n - 1 >= from && buf[n - 1] === D) return n - 1;
  return n;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/**
 * Incremental MTP-over-TCP de-framer (station spec §1.4). Feed it received chunks of any size; it calls
 * `onFrame` once per complete package, in order.
 *
 * - Only header forms with a body length (8, 16, 24 bytes) frame a stream; the UDP forms are treated as garbage.
 * - The declared body length is checked against `maxBodyBytes` before any body byte is kept.
 * - Garbage before a header is dropped by scanning for the next `DIM` (as the reference does); more than
 *   `maxGarbageBytes` in a row gives the stream up.
 * - A body inside one chunk is passed on as a view of that chunk (no copy); a body split across chunks is
 *   copied once into a buffer of its exact declared size. At most 23 header bytes are carried between chunks.
 *
 * `push` never throws on any input. `onFrame` should not throw; if it does, the exception propagates and
 * the rest of that chunk is lost.
 */
export class MtpStreamParser {
  readonly #onFrame: (frame: MtpFrame) => void;
  readonly #maxBody: number;
  readonly #maxGarbage: number;
  /** Start of a header (or of the magic) received at the end of the previous chunk; < 24 bytes. */
  #tail: Uint8Array | null = null;
  /** Header and buffer of a body that spans chunks. */
  #header: MtpHeader | null = null;
  #body: Uint8Array | null = null;
  #filled = 0;
  #garbage = 0;
  #error: MtpStreamError | null = null;
  #dropped = 0;

  constructor(options: MtpStreamOptions, onFrame: (frame: MtpFrame) => void) {
    const { maxBodyBytes, maxGarbageBytes = MTP_DEFAULT_MAX_GARBAGE_BYTES } = options;
    if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 0 || maxBodyBytes > MTP_MAX_BODY_LENGTH) {
      throw new RangeError(`MtpStreamParser: expected maxBodyBytes in 0..${MTP_MAX_BODY_LENGTH}, got ${maxBodyBytes}`);
    }
    if (!Number.isInteger(maxGarbageBytes) || maxGarbageBytes < 0) {
      throw new RangeError(`MtpStreamParser: expected maxGarbageBytes >= 0, got ${maxGarbageBytes}`);
    }
    this.#onFrame = onFrame;
    this.#maxBody = maxBodyBytes;
    this.#maxGarbage = maxGarbageBytes;
  }

  /** Bytes held between chunks (a partial header or a partial body). */
  get bufferedBytes(): number {
    return (this.#tail?.length ?? 0) + this.#filled;
  }

  /** Garbage bytes dropped so far while resynchronising. */
  get droppedBytes(): number {
    return this.#dropped;
  }

  /** The error that stopped the stream, if any; once set, further input is ignored. */
  get error(): MtpStreamError | null {
    return this.#error;
  }

  /** Feeds one received chunk. Returns null, or the error that made the stream unusable. */
  push(chunk: Uint8Array): MtpStreamError | null {
    if (this.#error !== null) return this.#error;
    let buf = chunk;
    let pos = 0;

    if (this.#body !== null) {
      const body = this.#body;
      const n = Math.min(chunk.length, body.length - this.#filled);
      body.set(n === chunk.length ? chunk : chunk.subarray(0, n), this.#filled);
      this.#filled += n;
      if (this.#filled < body.length) return null;
      const header = this.#header!;
      this.#body = null;
      this.#header = null;
      this.#filled = 0;
      this.#onFrame({ header, body });
      pos = n;
    }

    if (this.#tail !== null) {
      const tail = this.#tail;
      this.#tail = null;
      // Fast path: complete the header from a few bytes of this chunk, without copying the whole chunk.
      const scratch = concat(tail, chunk.subarray(pos, pos + MTP_MAX_HEADER_LENGTH));
      const head = readMtpHeader(scratch, 0);
      if (head === 'need-more') {
        // The whole remainder of the chunk is in `scratch` (a header is at most 24 bytes).
        this.#tail = scratch;
        return null;
      }
      if (head !== 'invalid' && hasBodyLength(head.headerLength)) {
        pos = this.#begin(head, chunk, pos + head.headerLength - tail.length);
        if (pos < 0) return this.#error;
      } else {
        // Garbage across the chunk boundary (rare): scan the joined bytes.
        buf = concat(tail, chunk.subarray(pos));
        pos = 0;
      }
    }

    while (pos < buf.length) {
      const head = readMtpHeader(buf, pos);
      if (head === 'need-more') {
        this.#tail = buf.slice(pos);
        return null;
      }
      if (head === 'invalid' || !hasBodyLength(head.headerLength)) {
        const next = findMagic(buf, pos + 1);
        const keep = next >= 0 ? next : partialMagicStart(buf, pos + 1);
        const dropped = keep - pos;
        this.#dropped += dropped;
        this.#garbage += dropped;
        if (this.#garbage > this.#maxGarbage) {
          this.#error = 'protocol.mtp';
          return this.#error;
        }
        pos = keep;
        continue;
      }
      pos = this.#begin(head, buf, pos + head.headerLength);
      if (pos < 0) return this.#error;
    }
    return null;
  }

  /**
   * Starts the package whose body begins at `bodyStart` in `buf`. Emits it if complete and returns the
   * position after it; otherwise keeps what there is and returns -1 (also on error).
   */
  #begin(header: MtpHeader, buf: Uint8Array, bodyStart: number): number {
    const length = header.bodyLength;
    if (length > this.#maxBody) {
      this.#error = 'limit.payload';
      return -1;
    }
    this.#garbage = 0;
    const end = bodyStart + length;
    if (end <= buf.length) {
      this.#onFrame({ header, body: buf.subarray(bodyStart, end) });
      return end;
    }
    const body = new Uint8Array(length);
    body.set(buf.subarray(bodyStart), 0);
    this.#filled = buf.length - bodyStart;
    this.#body = body;
    this.#header = header;
    return -1;
  }
}
