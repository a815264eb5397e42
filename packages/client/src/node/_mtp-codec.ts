/**
 * The client side of MTP framing over TCP (station spec §1.4): 16-byte headers out
 * (`DIM`, byte 3 = 0x40 | type, 8-byte SN, 4-byte body length), and a stream reader that accepts
 * every header form carrying a body length (8, 16, 24 bytes) and skips garbage up to the next
 * `DIM`. All integers big-endian.
 */

export const MtpType = {
  COMMAND: 0x00,
  COMMAND_RESPONSE: 0x01,
  MESSAGE: 0x02,
  MESSAGE_RESPONSE: 0x03,
  MESSAGE_FRAGMENT: 0x0a,
} as const;

export interface MtpPackage {
  readonly type: number;
  /** The transaction ID (0 for the 8-byte form, which has none). */
  readonly sn: bigint;
  readonly body: Buffer;
}

const MAGIC = Buffer.from('DIM');

/** One package with a 16-byte header. */
export function encodeMtp(type: number, sn: bigint, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(16 + body.length);
  MAGIC.copy(out, 0);
  out[3] = 0x40 | type;
  out.writeBigUInt64BE(sn, 4);
  out.writeUInt32BE(body.length, 12);
  out.set(body, 16);
  return out;
}

/** Header length for byte 3, or 0 when the header cannot frame a stream or the type is unknown. */
function headerLength(byte3: number): number {
  const length = (byte3 >> 4) * 4;
  const type = byte3 & 0x0f;
  if (type > 0x03 && type !== 0x0a) return 0;
  return length === 8 || length === 16 || length === 24 ? length : 0;
}

export class MtpStreamError extends Error {
  override readonly name = 'MtpStreamError';
}

/**
 * Splits a TCP byte stream into packages. Bodies larger than `maxBody` and more than `maxGarbage`
 * bytes skipped in a row are errors (the link should be closed): nothing grows without bound.
 */
export class MtpReader {
  #buffer: Buffer = Buffer.alloc(0);
  #garbage = 0;
  readonly #maxBody: number;
  readonly #maxGarbage: number;

  constructor(maxBody: number, maxGarbage = 64 * 1024) {
    this.#maxBody = maxBody;
    this.#maxGarbage = maxGarbage;
  }

  /** Feeds received bytes; returns the complete packages. Throws MtpStreamError on a limit. */
  push(chunk: Buffer): MtpPackage[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const out: MtpPackage[] = [];
    for (;;) {
      const buffer = this.#buffer;
      if (buffer.length < 4) return out;
      const length = buffer[0] === 0x44 && buffer[1] === 0x49 && buffer[2] === 0x4d ? headerLength(buffer[3]!) : 0;
      if (length === 0) {
        // Resynchronize on the next "DIM" (the reference drops what precedes it).
        const next = buffer.indexOf(MAGIC, 1);
        const skip = next < 0 ? buffer.length - 2 : next;
        this.#garbage += skip;
        if (this.#garbage > this.#maxGarbage)
          throw new MtpStreamError(`more than ${this.#maxGarbage} bytes of garbage`);
        this.#buffer = buffer.subarray(skip);
        if (next < 0) return out;
        continue;
      }
      if (buffer.length < length) return out;
      const bodyLength = buffer.readUInt32BE(length - 4);
      if (bodyLength > this.#maxBody)
        throw new MtpStreamError(`package body of ${bodyLength} bytes exceeds ${this.#maxBody}`);
      if (buffer.length < length + bodyLength) return out;
      const sn = length >= 16 ? buffer.readBigUInt64BE(4) : 0n;
      out.push({ type: buffer[3]! & 0x0f, sn, body: Buffer.from(buffer.subarray(length, length + bodyLength)) });
      this.#buffer = buffer.subarray(length + bodyLength);
      this.#garbage = 0;
    }
  }
}
