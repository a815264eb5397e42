import { DimError } from '../errors.js';
import { decodeBase64 } from '../encoding/base64.js';
import { pemBlocks, type PemBlock } from './_pem.js';
import type { KeyDict } from './types.js';

/** Longest key `data` text we read; reference RSA-1024 combined PEMs are about 1.1 KB. */
export const MAX_KEY_TEXT = 16_384;

/** Key text: a string of bounded size (wire spec §2.4), else DimError('key.format' | 'key.size'). */
export function keyText(dict: KeyDict): string {
  const data = dict['data'];
  if (typeof data !== 'string') throw new DimError('key.format', `${dict.algorithm} key: "data" must be a string`);
  if (data.length > MAX_KEY_TEXT)
    throw new DimError('key.size', `${dict.algorithm} key: "data" of ${data.length} chars (max ${MAX_KEY_TEXT})`);
  return data;
}

/** PEM blocks of `text`, or the whole text as bare Base64 DER when it has no armour (wire spec §2.4 item 4). */
export function keyBlocks(text: string): PemBlock[] {
  if (text.includes('-----BEGIN')) return pemBlocks(text);
  try {
    return [{ label: '', der: decodeBase64(text) }];
  } catch (cause) {
    throw new DimError('key.format', 'key data is neither PEM nor Base64 DER', { cause });
  }
}
