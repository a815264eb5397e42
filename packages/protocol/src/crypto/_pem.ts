import { DimError } from '../errors.js';
import { decodeBase64, encodeBase64 } from '../encoding/base64.js';

export interface PemBlock {
  /** The armour label, e.g. `PUBLIC KEY`, `RSA PRIVATE KEY`. */
  readonly label: string;
  readonly der: Uint8Array;
}

const BEGIN = '-----BEGIN ';
const DASHES = '-----';

/**
 * Every PEM block in `text`, in order (the reference's combined RSA key holds two: wire spec
 * §2.4). Line breaks may be `\n` or `\r\n`, the Base64 may be on one line. Scans with indexOf,
 * no regular expressions over untrusted text. Throws DimError('key.format') for a block
 * without its END line or with a body that is not Base64 (e.g. encrypted PEM headers).
 */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let pos = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, pos);
    if (begin < 0) return blocks;
    const labelStart = begin + BEGIN.length;
    const labelEnd = text.indexOf(DASHES, labelStart);
    if (labelEnd < 0) throw new DimError('key.format', 'PEM: unterminated BEGIN line');
    const label = text.slice(labelStart, labelEnd);
    const endLine = `-----END ${label}-----`;
    const bodyStart = labelEnd + DASHES.length;
    const end = text.indexOf(endLine, bodyStart);
    if (end < 0) throw new DimError('key.format', `PEM: no END line for "${label}"`);
    let der: Uint8Array;
    try {
      der = decodeBase64(text.slice(bodyStart, end));
    } catch (cause) {
      throw new DimError('key.format', `PEM "${label}": body is not Base64`, { cause });
    }
    blocks.push({ label, der });
    pos = end + endLine.length;
  }
}

/** PEM as every reference writer emits it: Base64 in 64-char lines, `\n`, no final newline. */
export function encodePem(label: string, der: Uint8Array): string {
  const b64 = encodeBase64(der);
  const lines: string[] = [`-----BEGIN ${label}-----`];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  lines.push(`-----END ${label}-----`);
  return lines.join('\n');
}
