// The reference network's compatibility filters (wire spec §7): pure JSON transforms applied at
// the two edges only. Core code sees canonical names; the wire gets what deployed peers need.
export { contentFromWire, contentToWire, MAX_FILTER_DEPTH } from './content.js';
export { messageFromWire, messageToWire } from './message.js';
export { keyFromWire, keyToWire } from './key.js';
export { metaFromWire, metaToWire, metaTypeFromWire } from './meta.js';
export { documentFromWire, documentToWire } from './document.js';
export { contentTypeFromWire } from './content-type.js';
export { CONTENT_SHORT_KEYS, KEY_SHORT_KEYS, MESSAGE_SHORT_KEYS, expandShortKeys } from './short-keys.js';
