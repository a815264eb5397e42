// A small, independent MTP-over-TCP codec for test clients (station spec §1.4). Deliberately not the
// station's own implementation, so tests check one against the other.

/** Data types (low nibble of byte 3). */
export const MTP = {
  COMMAND: 0x0,
  COMMAND_RESPONSE: 0x1,
  MESSAGE: 0x2,
  MESSAGE_RESPONSE: 0x3,
} as const;

export interface MtpPackage {
  readonly type: number;
  readonly sn: bigint | undefined;
  readonly body: Uint8Array;
}

/** A 16-byte-header package: `DIM`, (4 << 4 | type), SN (8 bytes), body length (4 bytes), body. */
export function encodeMtp(type: number, sn: bigint, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + body.length);
  out.set([0x44, 0x49, 0x4d, (4 << 4) | type]);
  const view = new DataView(out.buffer);
  view.setBigUint64(4, sn);
  view.setUint32(12, body.length);
  out.set(body, 16);
  return out;
}

/**
 * Incremental decoder: `push` bytes, get the complete packages. Accepts the header sizes that carry a body
 * length (8, 16, 24 bytes); throws on anything else (a test client has no use for resynchronisation).
 */
export class MtpDecoder {
  #buffer = new Uint8Array(0);

  push(chunk: Uint8Array): MtpPackage[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    const out: MtpPackage[] = [];
    let at = 0;
    for (;;) {
      if (joined.length - at < 4) break;
      if (joined[at] !== 0x44 || joined[at + 1] !== 0x49 || joined[at + 2] !== 0x4d) {
        throw new Error(`MTP: bad magic at ${at}`);
      }
      const headerLength = (joined[at + 3]! >> 4) * 4;
      const type = joined[at + 3]! & 0x0f;
      if (![8, 16, 24].includes(headerLength)) throw new Error(`MTP: header length ${headerLength} on a stream`);
      if (joined.length - at < headerLength) break;
      const view = new DataView(joined.buffer, joined.byteOffset + at, headerLength);
      const sn = headerLength >= 16 ? view.getBigUint64(4) : undefined;
      const bodyLength = view.getUint32(headerLength - 4);
      if (joined.length - at < headerLength + bodyLength) break;
      out.push({ type, sn, body: joined.slice(at + headerLength, at + headerLength + bodyLength) });
      at += headerLength + bodyLength;
    }
    this.#buffer = joined.slice(at);
    return out;
  }
}
