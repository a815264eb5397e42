import { base64 } from '@scure/base';
import { DimError } from '../errors.js';

/** Standard Base64 with `=` padding, no line breaks (what every reference writer emits). */
export function encodeBase64(bytes: Uint8Array): string {
  return base64.encode(bytes);
}

/**
 * Reads Base64 leniently, as reference readers do: ASCII whitespace and line breaks are
 * ignored, and missing `=` padding is restored. Throws DimError('encoding.base64').
 * (Prefixes such as `base64,` and data URIs are handled by `decodeTed`.)
 */
export function decodeBase64(text: string): Uint8Array {
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
