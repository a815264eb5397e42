import { DimError } from '@dimkit/protocol';
import type { Database } from 'better-sqlite3';

/**
 * The schema of a client database (one file per identity), oldest first. Append only: a released
 * step is never edited; a change is a new step. `PRAGMA user_version` records the last step run.
 *
 * `vault` holds the identity: public parts in clear, private keys sealed (core/vault.ts).
 * `seen` lists processed signatures (deduplication); `cipher_keys` holds the message key of each
 * direction, sealed.
 */
const MIGRATIONS: readonly { readonly version: number; readonly up: string }[] = [
  {
    version: 1,
    up: `
      CREATE TABLE vault (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        identity     TEXT NOT NULL,
        meta         TEXT NOT NULL,
        visa         TEXT,
        kdf          TEXT NOT NULL,
        unlock       TEXT NOT NULL CHECK (unlock IN ('passphrase', 'identity')),
        wrapped_key  BLOB NOT NULL,
        private_keys BLOB NOT NULL
      );

      CREATE TABLE settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE contacts (
        id            TEXT PRIMARY KEY,
        meta          TEXT NOT NULL,
        document      TEXT,
        document_time REAL,
        updated_at    REAL NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE messages (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation TEXT NOT NULL,
        direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        sender       TEXT NOT NULL,
        receiver     TEXT NOT NULL,
        grp          TEXT,
        time         REAL NOT NULL,
        content      TEXT NOT NULL,
        signature    TEXT,
        state        TEXT NOT NULL,
        error        TEXT,
        read         INTEGER NOT NULL
      );
      CREATE INDEX messages_by_conversation ON messages (conversation, id);
      CREATE INDEX messages_by_signature ON messages (signature) WHERE signature IS NOT NULL;
      CREATE INDEX messages_unread ON messages (conversation) WHERE read = 0;

      CREATE TABLE receipts (
        id         INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        sender     TEXT NOT NULL,
        text       TEXT,
        state      TEXT NOT NULL,
        time       REAL NOT NULL
      );
      CREATE INDEX receipts_by_message ON receipts (message_id);

      CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        kind            TEXT NOT NULL CHECK (kind IN ('message', 'receipt')),
        message_id      INTEGER REFERENCES messages (id) ON DELETE SET NULL,
        receiver        TEXT NOT NULL,
        instant         TEXT NOT NULL,
        reliable        TEXT,
        signature       TEXT,
        state           TEXT NOT NULL CHECK (state IN ('queued', 'in-flight', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        last_error      TEXT,
        next_attempt_at REAL NOT NULL,
        created_at      REAL NOT NULL
      );
      CREATE INDEX outbox_by_signature ON outbox (signature) WHERE signature IS NOT NULL;

      CREATE TABLE seen (
        signature TEXT PRIMARY KEY,
        time      REAL NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX seen_by_time ON seen (time);

      CREATE TABLE cipher_keys (
        sender      TEXT NOT NULL,
        destination TEXT NOT NULL,
        sealed      BLOB NOT NULL,
        since       REAL NOT NULL,
        PRIMARY KEY (sender, destination)
      ) WITHOUT ROWID;
    `,
  },
  {
    // The outbox scan visits due items only (a drain of thousands of messages each queues a receipt).
    version: 2,
    up: `CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state != 'failed';`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Runs the missing steps in one transaction. Throws DimError('store.schema') for a newer database. */
export function migrate(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new DimError(
      'store.schema',
      `client database schema ${current} is newer than this dimkit (${SCHEMA_VERSION})`,
    );
  }
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (const step of MIGRATIONS) {
      if (step.version <= current) continue;
      db.exec(step.up);
      db.pragma(`user_version = ${step.version}`);
    }
  })();
}
