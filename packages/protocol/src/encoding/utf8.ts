import { DimError } from '../errors.js';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8: invalid sequences throw DimError('encoding.utf8') instead of becoming U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch (cause) {
    throw new DimError('encoding.utf8', 'invalid UTF-8 bytes', { cause });
  }
}
