// The station's storage area: one Store contract (store.ts) and its SQLite backend. The reusable contract test
// suite (contract.ts) is imported directly by backend tests; it is not exported here because it imports vitest.
export { DEFAULT_MAX_PER_RECEIVER, DEFAULT_RETENTION_SECONDS } from './store.js';
export type {
  DocumentPutResult,
  DocumentStore,
  IdentityStore,
  Inbox,
  InboxItem,
  InboxMessage,
  InboxPutResult,
  ListKind,
  ListStore,
  LoginRecord,
  LoginStore,
  MetaStore,
  Store,
  StoreOptions,
  StoredDocument,
} from './store.js';
export { SqliteStore } from './sqlite.js';
export type { SqliteStoreOptions } from './sqlite.js';
export { MIGRATIONS, latestVersion, migrate, userVersion } from './migrations.js';
export type { Migration } from './migrations.js';
