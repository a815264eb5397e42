// @dimkit/protocol/dkd: messages (wire spec §4): parse, seal, open, split, key reuse.
export type { EnvelopeFields, InstantMessage, ReliableMessage } from './message.js';
export { MAX_KEYS_ENTRIES, MAX_MESSAGE_BYTES, parseReliableMessage, serializeMessage } from './reliable.js';
export type { ParseMessageOptions } from './reliable.js';
export { destinationFor, isBroadcastMessage } from './destination.js';
export { CipherKeyCache, KEY_REUSE_SECONDS } from './key-cache.js';
export { IV_GUARD, sealMessage, splitGroupMessage } from './seal.js';
export type { SealOptions } from './seal.js';
export { openMessage, signedBytes, verifyMessage } from './open.js';
export type { OpenOptions } from './open.js';
export { senderAttachments } from './attachments.js';
export type { SenderAttachments } from './attachments.js';
