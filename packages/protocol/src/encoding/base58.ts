import { base58 } from '@scure/base';
import { DimError } from '../errors.js';

/** Bitcoin-alphabet Base58; leading zero bytes become leading `1`s. */
export function encodeBase58(bytes: Uint8Array): string {
  return base58.encode(bytes);
}

export function decodeBase58(text: string): Uint8Array {
  try {
    return base58.decode(text);
  } catch (cause) {
    throw new DimError('encoding.base58', `invalid Base58 text (${text.length} chars)`, { cause });
  }
}
