// @dimkit/protocol/account: local identities with their private keys, and group files.
export { createIdentity, identityEncryptionKey, identityToJson, parseIdentity, updateVisa } from './identity.js';
export type { CreateIdentityOptions, Identity, IdentityEntity, IdentityKind } from './identity.js';
export { GROUP_MAX_MEMBERS, createGroup, groupToJson, isValidBulletin, parseGroup } from './group.js';
export type { Group } from './group.js';
export { contactEncryptionKey, contactToJson, contactVerifyKeys, parseContact } from './contact.js';
export type { Contact } from './contact.js';
