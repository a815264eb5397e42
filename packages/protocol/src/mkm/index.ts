// @dimkit/protocol/mkm: identities (wire spec §3): entity types, addresses, IDs, metas, documents.
export {
  EntityType,
  entityTypeFromNetwork,
  entityTypeName,
  isBroadcastType,
  isGroupType,
  isUserType,
} from './entity.js';
export type { EntityTypeName } from './entity.js';
export { ANYWHERE, EVERYWHERE, parseAddress } from './address.js';
export type { Address, AddressKind } from './address.js';
export { btcAddressFromFingerprint, parseBtcAddress, searchNumber } from './address-btc.js';
export { ethAddressFromKeyData, isEip55, parseEthAddress } from './address-eth.js';
export { ID_MAX_LENGTH, ID_MIN_LENGTH, formatId, parseId, withoutTerminal } from './id.js';
export type { ID } from './id.js';
export {
  ANYONE,
  ANY_STATION,
  EVERYONE,
  EVERY_STATIONS,
  FOUNDER,
  broadcastFounder,
  broadcastMembers,
  broadcastOwner,
} from './broadcast.js';
export {
  META_FINGERPRINT_MAX,
  META_SEED_MAX,
  MetaType,
  checkMeta,
  generateMeta,
  idFromMeta,
  metaMatchesId,
  metaToDict,
  parseMeta,
} from './meta.js';
export type { Meta } from './meta.js';
export {
  DOCUMENT_DATA_MAX,
  DOCUMENT_SIGNATURE_MAX,
  DocumentType,
  documentCreatedTime,
  documentName,
  documentTime,
  documentToDict,
  newerDocument,
  parseDocument,
  signDocument,
  verifyDocument,
} from './document.js';
export type { Document } from './document.js';
export { visaKey } from './visa.js';
export { bulletinAdministrators, bulletinAssistants, bulletinFounder } from './bulletin.js';
export { encryptionKeyFor, verificationKeysFor } from './entity-keys.js';
export type { EncryptKey } from './entity-keys.js';
