import { documentFromWire, documentToWire } from '../compat/document.js';
import type { PrivateKey } from '../crypto/types.js';
import { decodeBase64, encodeBase64 } from '../encoding/base64.js';
import { type JsonObject, type JsonValue, isJsonObject, parseJsonObject } from '../encoding/json.js';
import { encodeUtf8 } from '../encoding/utf8.js';
import { DimError } from '../errors.js';
import { type ID, parseId } from './id.js';
import { type Meta, metaMatchesId } from './meta.js';

/** Document types written at top level and inside `data` (wire spec §3.6). */
export const DocumentType = { VISA: 'visa', BULLETIN: 'bulletin', PROFILE: 'profile' } as const;

/** Longest `data` string accepted (a visa may carry an avatar as a `data:` URI). */
export const DOCUMENT_DATA_MAX = 256 * 1024;
/** Longest Base64 `signature` accepted (a 4096-bit RSA signature is 684 characters). */
export const DOCUMENT_SIGNATURE_MAX = 1024;

/**
 * A parsed document: visa (users), bulletin (groups) or profile (wire spec §3.6). Parsing checks
 * shape only; `verifyDocument` checks the signature against the owner's meta.
 */
export interface Document {
  /** `visa`, `bulletin`, `profile`, or another type as written by the peer. */
  readonly type: string;
  /** The owner, from `did` (current) or `ID` (legacy). */
  readonly did: ID;
  /** The signed JSON text, exactly as received: verify and relay this, never a re-serialization. */
  readonly data: string;
  readonly signature: Uint8Array;
  /** `data` parsed. */
  readonly properties: Readonly<JsonObject>;
  /** The dictionary as received, or as made by `signDocument`. */
  readonly dict: Readonly<JsonObject>;
}

function invalid(why: string, cause?: unknown): never {
  throw new DimError('document.invalid', `document: ${why}`, cause === undefined ? undefined : { cause });
}

/** Visa for users, bulletin for groups: what readers infer when the top-level `type` is missing. */
function defaultType(id: ID): string {
  if (id.isGroup) return DocumentType.BULLETIN;
  if (id.isUser) return DocumentType.VISA;
  return DocumentType.PROFILE;
}

/** Time fields are seconds as a number or numeric string (wire spec §1). */
function readTime(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

/**
 * Reads a document dictionary: owner from `did` or legacy `ID` (they must agree when both are
 * present), `type` (inferred from the owner when absent), `data` (a JSON object as text, kept
 * byte-exact), `signature` (Base64). `time` and `created_time`, when present, must be numbers
 * or numeric strings. Throws DimError `document.invalid` (the ID error as `cause` for a bad owner).
 */
export function parseDocument(dict: unknown): Document {
  if (!isJsonObject(dict)) invalid('expected a JSON object');
  // compat (wire spec §3.6, §7 item 8): legacy `ID` → `did`; throws document.invalid if they differ.
  const { did: owner, type: rawType, data, signature: rawSignature } = documentFromWire(dict);
  let did: ID;
  try {
    did = parseId(owner);
  } catch (cause) {
    if (!(cause instanceof DimError)) throw cause;
    invalid(`owner: ${cause.message}`, cause);
  }
  if (rawType !== undefined && rawType !== null && (typeof rawType !== 'string' || rawType === '')) {
    invalid('"type": expected a non-empty string');
  }
  const type = typeof rawType === 'string' ? rawType : defaultType(did);
  if (typeof data !== 'string' || data.length > DOCUMENT_DATA_MAX) {
    invalid(`"data": expected a JSON string of at most ${DOCUMENT_DATA_MAX} characters`);
  }
  if (typeof rawSignature !== 'string' || rawSignature === '' || rawSignature.length > DOCUMENT_SIGNATURE_MAX) {
    invalid(`"signature": expected Base64 of at most ${DOCUMENT_SIGNATURE_MAX} characters`);
  }
  let properties: JsonObject;
  let signature: Uint8Array;
  try {
    properties = parseJsonObject(data, 'document data');
    signature = decodeBase64(rawSignature);
  } catch (cause) {
    invalid(cause instanceof Error ? cause.message : 'bad data or signature', cause);
  }
  for (const field of ['time', 'created_time']) {
    const value = properties[field];
    if (value !== undefined && value !== null && readTime(value) === undefined) {
      invalid(`"${field}": expected seconds as a number`);
    }
  }
  return Object.freeze({ type, did, data, signature, properties, dict });
}

/**
 * Whether `doc` is signed by the owner's meta key (wire spec §3.6): the meta must match the
 * document's ID (`metaMatchesId`), and the signature must verify over the exact UTF-8 bytes of
 * `data`. Only the meta key counts; a visa's own `key` never signs documents. Never throws.
 */
export function verifyDocument(doc: Document, meta: Meta): boolean {
  try {
    return metaMatchesId(meta, doc.did) && meta.key.verify(encodeUtf8(doc.data), doc.signature);
  } catch {
    return false;
  }
}

/**
 * Creates and signs a document with the owner's meta private key. `data` is the compact JSON of
 * `{type, created_time, ...properties, time}`: `created_time` is kept from `properties` when
 * present (re-signing an edited document), `time` is `now` (float seconds, the signing time).
 * The result carries both `did` and `ID` (wire spec §3.6, §11 item 13).
 * Throws DimError `id.syntax`/`address.*` for a bad `did` string.
 */
export function signDocument(
  input: { readonly did: ID | string; readonly type?: string; readonly properties?: Readonly<JsonObject> },
  privateKey: PrivateKey,
  now: number = Date.now() / 1000,
): Document {
  if (!Number.isFinite(now)) throw new RangeError(`now: expected seconds, got ${now}`);
  const did = typeof input.did === 'string' ? parseId(input.did) : input.did;
  const type = input.type ?? defaultType(did);
  if (type === '') throw new RangeError('type: expected a non-empty string');
  const { type: _type, created_time: created, time: _time, ...rest } = input.properties ?? {};
  const properties: JsonObject = { type, created_time: created ?? now, ...rest, time: now };
  const data = JSON.stringify(properties);
  const signature = encodeBase64(privateKey.sign(encodeUtf8(data)));
  return parseDocument({ type, did: did.text, ID: did.text, data, signature });
}

/**
 * The dictionary to send: the document as received with both `did` and `ID` set (wire spec §3.6,
 * §7 item 8) and `type` explicit; `data` and `signature` are the original strings.
 */
export function documentToDict(doc: Document): JsonObject {
  return documentToWire({ ...documentFromWire(doc.dict as JsonObject), type: doc.type, did: doc.did.text });
}

/** The signing time (`time`, seconds), if the document has one. */
export function documentTime(doc: Document): number | undefined {
  return readTime(doc.properties['time']);
}

/** When the document was first created (`created_time`, seconds), if written. */
export function documentCreatedTime(doc: Document): number | undefined {
  return readTime(doc.properties['created_time']);
}

/** The display name (`name`), if it is a string. */
export function documentName(doc: Document): string | undefined {
  const name = doc.properties['name'];
  return typeof name === 'string' ? name : undefined;
}

/**
 * The newer of two documents of one owner by `time` ("newest document wins"); `current` when
 * `candidate` is not strictly newer or has no time. Throws RangeError if the owners differ.
 */
export function newerDocument(current: Document | undefined, candidate: Document): Document {
  if (current === undefined) return candidate;
  if (current.did.text !== candidate.did.text) {
    throw new RangeError(`newerDocument: owners differ (${current.did.text}, ${candidate.did.text})`);
  }
  const a = documentTime(current);
  const b = documentTime(candidate);
  if (b === undefined) return current;
  return a === undefined || b > a ? candidate : current;
}
