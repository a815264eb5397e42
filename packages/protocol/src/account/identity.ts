import { generatePrivateKey, jsBackend, parsePrivateKey } from '../crypto/index.js';
import type { CryptoBackend, PrivateKey, PublicKey } from '../crypto/types.js';
import { isJsonObject, type JsonObject } from '../encoding/json.js';
import { encodeUtf8 } from '../encoding/utf8.js';
import { DimError } from '../errors.js';
import {
  EntityType,
  MetaType,
  checkMeta,
  documentToDict,
  encryptionKeyFor,
  generateMeta,
  idFromMeta,
  metaToDict,
  parseDocument,
  parseId,
  parseMeta,
  signDocument,
  verifyDocument,
  visaKey,
  type Document,
  type ID,
  type Meta,
} from '../mkm/index.js';

/**
 * A local account: the identity with its private keys. Its file form is the vectors' user file,
 * `{id, meta, visa, privateKey, visaPrivateKey?}`, which `dim` reads and writes.
 */
export interface Identity {
  readonly id: ID;
  readonly meta: Meta;
  readonly visa: Document | undefined;
  /** The identity (meta) key: signs metas, documents and messages. */
  readonly privateKey: PrivateKey;
  /** The visa key, when it differs from the meta key: decrypts message keys. */
  readonly visaPrivateKey: PrivateKey | undefined;
  /** Keys that may unwrap message keys sent to us: the visa key first, then the meta key. */
  readonly decryptKeys: readonly PrivateKey[];
}

export type IdentityKind = 'eth' | 'mkm' | 'btc';
export type IdentityEntity = 'user' | 'station' | 'bot';

const NETWORK: Record<IdentityEntity, number> = {
  user: EntityType.USER,
  station: EntityType.STATION,
  bot: EntityType.BOT,
};

const SELF_TEST = encodeUtf8('dimkit key pair check');

function keysMatch(privateKey: PrivateKey, publicKey: PublicKey): boolean {
  return publicKey.verify(SELF_TEST, privateKey.sign(SELF_TEST));
}

function field(json: JsonObject, name: string): unknown {
  const value = json[name];
  if (value === undefined || value === null) return undefined;
  return value;
}

/**
 * Reads an identity file, checking everything: the meta is valid and matches the ID, the private
 * key belongs to the meta key, the visa verifies with the meta and belongs to the ID, and the visa
 * private key belongs to the visa key. Throws DimError ('meta.*', 'document.*', 'key.*', 'id.*').
 */
export function parseIdentity(input: unknown, backend: CryptoBackend = jsBackend): Identity {
  if (!isJsonObject(input)) throw new DimError('key.format', 'identity file: expected a JSON object');
  const id = parseId(input['id']);
  const meta = parseMeta(field(input, 'meta'), backend);
  checkMeta(meta, id);
  const privateKey = parsePrivateKey(field(input, 'privateKey'), backend);
  if (privateKey.algorithm !== meta.key.algorithm || !keysMatch(privateKey, meta.key)) {
    throw new DimError('key.format', `identity file: privateKey does not belong to the meta key of ${id.text}`);
  }
  const visaJson = field(input, 'visa');
  let visa: Document | undefined;
  if (visaJson !== undefined) {
    visa = parseDocument(visaJson);
    if (visa.did.text !== id.text) throw new DimError('document.mismatch', `identity file: visa of ${visa.did.text}`);
    if (!verifyDocument(visa, meta)) throw new DimError('document.signature', `identity file: visa does not verify`);
  }
  const visaKeyJson = field(input, 'visaPrivateKey');
  let visaPrivateKey: PrivateKey | undefined;
  if (visaKeyJson !== undefined) {
    visaPrivateKey = parsePrivateKey(visaKeyJson, backend);
    const published = visa === undefined ? undefined : visaKey(visa, backend);
    if (published === undefined || !keysMatch(visaPrivateKey, published)) {
      throw new DimError('key.format', 'identity file: visaPrivateKey does not belong to the visa key');
    }
  }
  const decryptKeys = [visaPrivateKey, privateKey].filter(
    (key): key is PrivateKey => key !== undefined && key.decrypt !== undefined,
  );
  return Object.freeze({ id, meta, visa, privateKey, visaPrivateKey, decryptKeys });
}

/** The file form (`{id, meta, visa, privateKey, visaPrivateKey?}`); holds private keys: keep it private. */
export function identityToJson(identity: Identity): JsonObject {
  const json: JsonObject = {
    id: identity.id.text,
    meta: metaToDict(identity.meta),
    privateKey: identity.privateKey.dict as JsonObject,
  };
  if (identity.visa !== undefined) json['visa'] = documentToDict(identity.visa);
  if (identity.visaPrivateKey !== undefined) json['visaPrivateKey'] = identity.visaPrivateKey.dict as JsonObject;
  return json;
}

export interface CreateIdentityOptions {
  /** eth: ECC identity key + RSA visa key, as reference users are made (default); mkm: RSA key and
   *  seed; btc: ECC key + RSA visa key. */
  readonly kind?: IdentityKind;
  readonly entity?: IdentityEntity;
  /** Display name, written into the visa. */
  readonly name?: string;
  /** The ID name of an MKM identity (default: from `name`, else the entity kind). */
  readonly seed?: string;
  /** Extra visa properties (`app_id`, `avatar`, `host`/`port` of a station...). */
  readonly properties?: Readonly<JsonObject>;
  readonly backend?: CryptoBackend;
}

function seedFrom(options: CreateIdentityOptions): string {
  if (options.seed !== undefined) return options.seed;
  const fromName = (options.name ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '')
    .slice(0, 32);
  return fromName === '' ? (options.entity ?? 'user') : fromName;
}

/**
 * Makes a new identity from fresh CSPRNG keys: an ETH user has an ECC identity key and an RSA-1024
 * visa key; an MKM identity has one RSA-1024 key (its visa key is the meta key); a BTC identity an
 * ECC key and an RSA visa key. Throws RangeError for an ETH identity that is not a user.
 */
export function createIdentity(options: CreateIdentityOptions = {}): Identity {
  const backend = options.backend ?? jsBackend;
  const kind = options.kind ?? 'eth';
  const entity = options.entity ?? 'user';
  if (kind === 'eth' && entity !== 'user') throw new RangeError('an ETH identity can only be a user');
  const privateKey = generatePrivateKey(kind === 'mkm' ? 'RSA' : 'ECC', {}, backend);
  const meta =
    kind === 'mkm'
      ? generateMeta(MetaType.MKM, privateKey, seedFrom(options))
      : generateMeta(kind === 'eth' ? MetaType.ETH : MetaType.BTC, privateKey);
  const id = idFromMeta(meta, NETWORK[entity]);
  const visaPrivateKey = kind === 'mkm' ? undefined : generatePrivateKey('RSA', { bits: 1024 }, backend);
  const properties: JsonObject = { ...(options.properties ?? {}) };
  if (options.name !== undefined) properties['name'] = options.name;
  properties['key'] = (visaPrivateKey ?? privateKey).publicKey.dict as JsonObject;
  const visa = signDocument({ did: id, properties }, privateKey);
  const decryptKeys = [visaPrivateKey ?? privateKey];
  return Object.freeze({ id, meta, visa, privateKey, visaPrivateKey, decryptKeys });
}

/** Re-signs the visa with new properties (name, avatar, ...), keeping the visa key. */
export function updateVisa(identity: Identity, properties: Readonly<JsonObject>): Identity {
  const current = identity.visa?.properties ?? {};
  const visa = signDocument({ did: identity.id, properties: { ...current, ...properties } }, identity.privateKey);
  return Object.freeze({ ...identity, visa });
}

/** The key others encrypt message keys with for this identity. */
export function identityEncryptionKey(identity: Identity, backend: CryptoBackend = jsBackend): PublicKey {
  return encryptionKeyFor(identity.meta, identity.visa, backend);
}
