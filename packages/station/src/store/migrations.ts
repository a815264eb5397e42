import { DimError } from '@dimkit/protocol';
import type { Database } from 'better-sqlite3';

/** One schema step. `version` n takes a database from `user_version` n-1 to n. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: string | ((db: Database) => void);
}

/**
 * The SQLite schema, oldest first. Append only: a released migration is never edited, a change is a new one.
 *
 * Inbox: `seq` is AUTOINCREMENT so a sequence number is never reused after removal (a reader paging with
 * `afterSeq` cannot skip a newcomer). `inbox_counts` is kept by triggers so the quota check in every put is one
 * key lookup, not a count over up to 20 480 rows.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'metas, documents, inbox, block/mute lists, logins, identity',
    up: `
      CREATE TABLE metas (
        id   TEXT PRIMARY KEY,
        meta TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE documents (
        id       TEXT NOT NULL,
        type     TEXT NOT NULL,
        time     REAL NOT NULL,
        document TEXT NOT NULL,
        PRIMARY KEY (id, type)
      ) WITHOUT ROWID;

      CREATE TABLE inbox (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        receiver  TEXT NOT NULL,
        signature TEXT NOT NULL,
        time      REAL NOT NULL,
        stored_at REAL NOT NULL,
        payload   BLOB NOT NULL,
        UNIQUE (receiver, signature)
      );
      CREATE INDEX inbox_by_receiver ON inbox (receiver, seq);
      CREATE INDEX inbox_by_arrival ON inbox (stored_at);

      CREATE TABLE inbox_counts (
        receiver TEXT PRIMARY KEY,
        n        INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TRIGGER inbox_counted AFTER INSERT ON inbox BEGIN
        INSERT INTO inbox_counts (receiver, n) VALUES (NEW.receiver, 1)
          ON CONFLICT (receiver) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER inbox_uncounted AFTER DELETE ON inbox BEGIN
        UPDATE inbox_counts SET n = n - 1 WHERE receiver = OLD.receiver;
        DELETE FROM inbox_counts WHERE receiver = OLD.receiver AND n <= 0;
      END;

      CREATE TABLE list_entries (
        owner    TEXT NOT NULL,
        kind     TEXT NOT NULL CHECK (kind IN ('block', 'mute')),
        position INTEGER NOT NULL,
        member   TEXT NOT NULL,
        PRIMARY KEY (owner, kind, member)
      ) WITHOUT ROWID;
      CREATE INDEX list_entries_in_order ON list_entries (owner, kind, position);

      CREATE TABLE logins (
        id      TEXT PRIMARY KEY,
        time    REAL NOT NULL,
        station TEXT,
        message TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE identity (
        slot     INTEGER PRIMARY KEY CHECK (slot = 1),
        identity TEXT NOT NULL
      );
    `,
  },
];

/** The schema version a database has after `migrate(db, migrations)`. */
export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

/**
 * Brings `db` to the latest schema: each pending migration runs in its own IMMEDIATE transaction together with
 * the `user_version` bump, so a failure leaves the previous version intact and a concurrent opener (another
 * process) waits and then finds the step done. Running it again on an up-to-date database does nothing.
 *
 * Throws DimError('store.schema') if the database is newer than the code knows (never downgrade data), and
 * RangeError if `migrations` is not numbered 1, 2, 3, ... (a programming error).
 * Answers the versions before and after.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new RangeError(`migration #${i}: expected version ${i + 1}, got ${m.version}`);
  });
  const latest = latestVersion(migrations);
  const from = userVersion(db);
  if (from > latest) {
    throw new DimError('store.schema', `database schema version ${from} is newer than this code knows (${latest})`);
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      const current = userVersion(db);
      if (current >= m.version) return; // another process did this step while we waited for the lock
      if (typeof m.up === 'string') db.exec(m.up);
      else m.up(db);
      // user_version lives in the database header, written as part of this transaction.
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  const to = userVersion(db);
  if (to > latest) {
    throw new DimError('store.schema', `database schema version ${to} is newer than this code knows (${latest})`);
  }
  return { from, to };
}

/** The database's `user_version` header field (0 for a new database). */
export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
