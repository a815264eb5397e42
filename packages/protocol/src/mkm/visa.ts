import { jsBackend, parsePublicKey } from '../crypto/index.js';
import type { CryptoBackend, PublicKey } from '../crypto/types.js';
import { DimError } from '../errors.js';
import type { Document } from './document.js';

/**
 * The visa's public key for encrypting messages to its owner (property `key`, an RSA key in
 * practice; wire spec §3.6), or undefined when the visa has none. It never verifies documents.
 * Read it only from a verified visa. Throws DimError `document.invalid` (key error as `cause`) when
 * `key` is present but does not parse.
 */
export function visaKey(doc: Document, backend: CryptoBackend = jsBackend): PublicKey | undefined {
  const dict = doc.properties['key'];
  if (dict === undefined || dict === null) return undefined;
  try {
    return parsePublicKey(dict, backend);
  } catch (cause) {
    if (!(cause instanceof DimError)) throw cause;
    throw new DimError('document.invalid', `visa of ${doc.did.text}: key: ${cause.message}`, { cause });
  }
}
