import { metaFromWire, metaToWire } from '../compat/meta.js';
import { jsBackend, parsePublicKey } from '../crypto/index.js';
import type { CryptoBackend, PrivateKey, PublicKey } from '../crypto/types.js';
import { decodeBase64, encodeBase64 } from '../encoding/base64.js';
import { type JsonObject, isJsonObject } from '../encoding/json.js';
import { encodeUtf8 } from '../encoding/utf8.js';
import { DimError } from '../errors.js';
import { btcAddressFromFingerprint } from './address-btc.js';
import { ethAddressFromKeyData } from './address-eth.js';
import { EntityType } from './entity.js';
import { type ID, formatId, parseId } from './id.js';

/** Meta versions (wire spec §3.4): 1 MKM (seed + fingerprint), 2 BTC, 4 ETH. 3 and 5 are reserved. */
export const MetaType = { MKM: 1, BTC: 2, ETH: 4 } as const;
export type MetaType = (typeof MetaType)[keyof typeof MetaType];

/** A seed longer than an ID could hold never matches one. */
export const META_SEED_MAX = 64;
/** Base64 of a signature by a 4096-bit RSA key is 684 characters; anything longer is not a fingerprint. */
export const META_FINGERPRINT_MAX = 1024;

/**
 * A valid meta: `parseMeta` and `generateMeta` only return metas whose key parses, whose
 * fingerprint verifies (MKM), and whose fields fit the version. Whether it belongs to an ID is a
 * separate question (`metaMatchesId`).
 */
export interface Meta {
  readonly type: MetaType;
  readonly key: PublicKey;
  /** MKM only: the ID name. */
  readonly seed: string | undefined;
  /** MKM only: the signature of UTF-8(seed) by the meta key. */
  readonly fingerprint: Uint8Array | undefined;
  /** The dictionary as received (relay it unchanged) or as generated. */
  readonly dict: Readonly<JsonObject>;
}

function invalid(why: string, cause?: unknown): never {
  throw new DimError('meta.invalid', `meta: ${why}`, cause === undefined ? undefined : { cause });
}

const absent = (value: unknown): boolean => value === undefined || value === null;

/**
 * Reads and validates a meta dictionary (wire spec §3.4). The version comes from `type` (integer,
 * decimal string or name), or from the legacy `version` field of 2018 metas (which deployed apps
 * accept; the raw v2 SDK does not); when both are present they must agree.
 * Checks: the key parses; MKM has a non-empty `seed` and a `fingerprint` that verifies as the
 * key's signature of UTF-8(seed); BTC/ETH have neither; ETH has an ECC key.
 * Throws DimError `meta.type` (unknown or missing version) or `meta.invalid` (with the key error
 * as `cause` when the key does not parse).
 */
export function parseMeta(dict: unknown, backend: CryptoBackend = jsBackend): Meta {
  if (!isJsonObject(dict)) invalid('expected a JSON object');
  // compat (wire spec §7): legacy `version` → `type`, names and decimal strings → integers;
  // throws meta.type for an unknown alias or a `type` and `version` that disagree.
  const rawType = metaFromWire(dict)['type'];
  if (rawType !== MetaType.MKM && rawType !== MetaType.BTC && rawType !== MetaType.ETH) {
    throw new DimError('meta.type', `meta: unsupported type ${JSON.stringify(rawType ?? null).slice(0, 40)}`);
  }
  const type: MetaType = rawType;
  let key: PublicKey;
  try {
    key = parsePublicKey(dict['key'], backend);
  } catch (cause) {
    if (!(cause instanceof DimError)) throw cause;
    invalid(`key: ${cause.message}`, cause);
  }
  const { seed, fingerprint } = dict;
  if (type !== MetaType.MKM) {
    if (!absent(seed) || !absent(fingerprint)) invalid(`type ${type} has no seed or fingerprint`);
    if (type === MetaType.ETH && key.algorithm !== 'ECC') invalid('an ETH meta needs an ECC key');
    return Object.freeze({ type, key, seed: undefined, fingerprint: undefined, dict });
  }
  if (typeof seed !== 'string' || seed === '' || seed.length > META_SEED_MAX) {
    invalid(`seed: expected a string of 1–${META_SEED_MAX} characters`);
  }
  if (typeof fingerprint !== 'string' || fingerprint.length > META_FINGERPRINT_MAX) {
    invalid(`fingerprint: expected Base64 of at most ${META_FINGERPRINT_MAX} characters`);
  }
  let signature: Uint8Array;
  try {
    signature = decodeBase64(fingerprint);
  } catch (cause) {
    invalid('fingerprint: not Base64', cause);
  }
  if (!key.verify(encodeUtf8(seed), signature)) invalid(`fingerprint does not verify seed "${seed}" with the key`);
  return Object.freeze({ type, key, seed, fingerprint: signature, dict });
}

/** The address this meta gives with a raw network byte (ignored by ETH metas, which have none). */
function addressFor(meta: Meta, network: number): string {
  switch (meta.type) {
    case MetaType.MKM:
      return btcAddressFromFingerprint(meta.fingerprint!, network);
    case MetaType.BTC:
      return btcAddressFromFingerprint(meta.key.keyData, network);
    case MetaType.ETH:
      return ethAddressFromKeyData(meta.key.keyData);
  }
}

/**
 * Whether `meta` is the meta of `id` (wire spec §3.4): the seed equals the ID name (both absent
 * for BTC/ETH), and regenerating the address with the ID address's RAW network byte (0x08 stays
 * 0x08) gives exactly the ID's address text (EIP-55 casing included). The terminal is ignored.
 * Broadcast IDs have no meta. Never throws.
 */
export function metaMatchesId(meta: Meta, id: ID): boolean {
  if (meta.seed !== id.name) return false;
  const want = meta.type === MetaType.ETH ? 'eth' : 'btc';
  if (id.address.kind !== want) return false;
  return addressFor(meta, id.address.network) === id.address.text;
}

/** Throws DimError `meta.mismatch` unless `metaMatchesId(meta, id)`. */
export function checkMeta(meta: Meta, id: ID): void {
  if (metaMatchesId(meta, id)) return;
  const got = meta.type === MetaType.ETH ? 'its ETH address' : `network 0x${id.address.network.toString(16)}`;
  throw new DimError(
    'meta.mismatch',
    `ID ${id.text}: not derived from this meta (type ${meta.type}, seed ${JSON.stringify(meta.seed ?? null)}, ${got})`,
  );
}

/**
 * The ID a meta gives on a network (wire spec §3.4): `seed@address` for MKM, the bare address for
 * BTC and ETH. `network` is the raw byte to encode (EntityType.USER, GROUP, STATION…); ETH
 * addresses have none, so only USER is allowed with them. Throws RangeError for a network that
 * is not a byte, a non-USER ETH network, or an ID outside 4–64 characters.
 */
export function idFromMeta(meta: Meta, network: number, terminal?: string): ID {
  if (meta.type === MetaType.ETH && network !== EntityType.USER) {
    throw new RangeError(`network: an ETH meta only makes USER IDs, got 0x${network.toString(16)}`);
  }
  return parseId(formatId({ name: meta.seed, address: addressFor(meta, network), terminal }));
}

/**
 * The meta dictionary to send: the original fields with `type` AND `version` written as the
 * integer version, as every deployed app writes them (wire spec §3.4, §7 item 9).
 */
export function metaToDict(meta: Meta): JsonObject {
  return metaToWire(meta.dict as JsonObject);
}

/**
 * Makes the meta of a new identity from its private key. MKM needs a `seed` (the ID name, without
 * `@` or `/`, at most META_SEED_MAX characters) and signs it; BTC and ETH take no seed; ETH needs
 * an ECC key. Throws TypeError/RangeError for arguments that break these rules.
 */
export function generateMeta(type: MetaType, privateKey: PrivateKey, seed?: string): Meta {
  if (type !== MetaType.MKM && type !== MetaType.BTC && type !== MetaType.ETH) {
    throw new TypeError(`type: expected 1 (MKM), 2 (BTC) or 4 (ETH), got ${String(type)}`);
  }
  const key = privateKey.publicKey;
  if (type === MetaType.ETH && privateKey.algorithm !== 'ECC') throw new RangeError('an ETH meta needs an ECC key');
  if (type !== MetaType.MKM) {
    if (seed !== undefined) throw new RangeError(`a type ${type} meta takes no seed`);
    const dict: JsonObject = { type, version: type, key: key.dict as JsonObject };
    return Object.freeze({ type, key, seed: undefined, fingerprint: undefined, dict });
  }
  if (typeof seed !== 'string' || seed === '' || seed.length > META_SEED_MAX || /[@/]/.test(seed)) {
    throw new RangeError(`seed: expected 1–${META_SEED_MAX} characters without "@" or "/", got ${String(seed)}`);
  }
  const fingerprint = privateKey.sign(encodeUtf8(seed));
  const dict: JsonObject = {
    type,
    version: type,
    key: key.dict as JsonObject,
    seed,
    fingerprint: encodeBase64(fingerprint),
  };
  return Object.freeze({ type, key, seed, fingerprint, dict });
}
