import { jsBackend } from '../crypto/index.js';
import type { CryptoBackend, PublicKey, VerifyKey } from '../crypto/types.js';
import { isJsonObject, type JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';
import {
  checkMeta,
  documentToDict,
  encryptionKeyFor,
  metaToDict,
  parseDocument,
  parseId,
  parseMeta,
  verificationKeysFor,
  verifyDocument,
  type Document,
  type ID,
  type Meta,
} from '../mkm/index.js';

/** Someone else's public identity: what we need to encrypt to them and verify them. */
export interface Contact {
  readonly id: ID;
  readonly meta: Meta;
  readonly visa: Document | undefined;
}

/**
 * Reads `{id, meta, visa?}` (an identity file works too; private fields are ignored), checking
 * that the meta matches the ID and the visa belongs to it and verifies. Throws DimError.
 */
export function parseContact(input: unknown, backend: CryptoBackend = jsBackend): Contact {
  if (!isJsonObject(input)) throw new DimError('meta.invalid', 'contact: expected a JSON object');
  const id = parseId(input['id']);
  const meta = parseMeta(input['meta'], backend);
  checkMeta(meta, id);
  const visaJson = input['visa'];
  let visa: Document | undefined;
  if (visaJson !== undefined && visaJson !== null) {
    visa = parseDocument(visaJson);
    if (visa.did.text !== id.text)
      throw new DimError('document.mismatch', `contact ${id.text}: visa of ${visa.did.text}`);
    if (!verifyDocument(visa, meta))
      throw new DimError('document.signature', `contact ${id.text}: visa does not verify`);
  }
  return Object.freeze({ id, meta, visa });
}

export function contactToJson(contact: Contact): JsonObject {
  const json: JsonObject = { id: contact.id.text, meta: metaToDict(contact.meta) };
  if (contact.visa !== undefined) json['visa'] = documentToDict(contact.visa);
  return json;
}

export function contactEncryptionKey(contact: Contact, backend: CryptoBackend = jsBackend): PublicKey {
  return encryptionKeyFor(contact.meta, contact.visa, backend);
}

export function contactVerifyKeys(contact: Contact, backend: CryptoBackend = jsBackend): VerifyKey[] {
  return verificationKeysFor(contact.meta, contact.visa, backend);
}
