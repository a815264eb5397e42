// @dimkit/client/node: Node transports (WebSocket on `ws`, MTP on node:net) and the SQLite store.
export { webSocketTransport } from './ws-transport.js';
export type { WebSocketTransportOptions } from './ws-transport.js';
export { mtpTransport } from './mtp-transport.js';
export type { MtpTransportOptions } from './mtp-transport.js';
export { transportForUrl } from './transport-for-url.js';
export { SqliteClientStore } from './sqlite-store.js';
export type {
  ProfileInfo,
  SqliteClientStoreCreateOptions,
  SqliteClientStoreOpenOptions,
  UnlockMode,
} from './sqlite-store.js';
export { DEFAULT_HOME, openProfile, PASSPHRASE_ENV } from './profile.js';
export type { ProfileOptions } from './profile.js';
export { httpFileTransfer } from './files-http.js';
export type { HttpFileTransferOptions } from './files-http.js';
export { exifThumbnail, imageThumbnail, THUMBNAIL_SIDE } from './files-thumbnail.js';
