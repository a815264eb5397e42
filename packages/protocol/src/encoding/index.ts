// @dimkit/protocol/encoding: Base64, Base58, hex, UTF-8, JSON and TED (wire spec §1).
export { encodeBase64, decodeBase64 } from './base64.js';
export { encodeBase58, decodeBase58 } from './base58.js';
export { encodeHex, decodeHex } from './hex.js';
export { encodeUtf8, decodeUtf8 } from './utf8.js';
export { isJsonObject, parseJson, parseJsonObject } from './json.js';
export type { JsonValue, JsonObject } from './json.js';
export { encodeTed, decodeTed } from './ted.js';
