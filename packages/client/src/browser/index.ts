// @dimkit/client/browser: what the SDK core needs in a browser: a WebSocket transport, an IndexedDB
// store, and the passphrase-sealed identity vault.
export { stationUrlForPage, WebSocketTransport } from './websocket-transport.js';
export type { WebSocketConstructor, WebSocketLike, WebSocketTransportOptions } from './websocket-transport.js';
export { IDB_MAX_SEEN, IndexedDbClientStore } from './indexeddb-store.js';
export type { IndexedDbClientStoreOptions } from './indexeddb-store.js';
export { IdentityVault, VAULT_DEFAULT_ITERATIONS, VAULT_MAX_ITERATIONS } from './identity-vault.js';
export type { IdentityVaultOptions, UnlockedIdentity, VaultSummary } from './identity-vault.js';
export { xhrFileTransfer } from './xhr-transfer.js';
export type { XhrFileTransferOptions, XhrLike } from './xhr-transfer.js';
