import { DimError } from '@dimkit/protocol';
import type { JsonObject } from '@dimkit/protocol/encoding';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';
import { GroupCommit } from './_group-commit.js';
import { migrate } from './migrations.js';
import {
  DEFAULT_MAX_PER_RECEIVER,
  DEFAULT_RETENTION_SECONDS,
  type DocumentPutResult,
  type DocumentStore,
  type IdentityStore,
  type Inbox,
  type InboxItem,
  type InboxMessage,
  type InboxPutResult,
  type ListKind,
  type ListStore,
  type LoginRecord,
  type LoginStore,
  type MetaStore,
  type Store,
  type StoreOptions,
  type StoredDocument,
} from './store.js';

export interface SqliteStoreOptions extends StoreOptions {
  /**
   * SQLite `synchronous` level. Default `'full'`: a resolved write survives power loss, not only a crash of
   * the process. Group commit keeps throughput up at this level.
   */
  synchronous?: 'full' | 'normal' | 'extra';
  /** How long a statement waits for another process's lock before failing (`busy_timeout`). Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Size limit of the database file; writes past it reject with DimError('store.quota'). Default none. */
  maxBytes?: number;
  /** Most queued writes committed in one transaction. Default 2048. */
  maxBatch?: number;
}

/**
 * The embedded default Store (design.md "Storage"): one SQLite file in WAL mode via better-sqlite3.
 *
 * Opening creates the file if needed and runs the schema migrations (`migrations.ts`); it throws
 * DimError('store.schema') for a database written by newer code and DimError('store.failure') if the file
 * cannot be opened. Writes are group-committed (`_group-commit.ts`); reads run at once and see committed data.
 * Pass `':memory:'` for a throw-away database.
 */
export class SqliteStore implements Store {
  readonly metas: MetaStore;
  readonly documents: DocumentStore;
  readonly inbox: Inbox;
  readonly lists: ListStore;
  readonly logins: LoginStore;
  readonly identity: IdentityStore;

  readonly #db: Database;
  readonly #writes: GroupCommit;
  #closed = false;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (typeof path !== 'string' || path === '') throw new TypeError('path: expected a file name or ":memory:"');
    const retention = positive('retentionSeconds', options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS);
    const maxPerReceiver = positiveInteger('maxPerReceiver', options.maxPerReceiver ?? DEFAULT_MAX_PER_RECEIVER);
    const busyTimeoutMs = positiveInteger('busyTimeoutMs', options.busyTimeoutMs ?? 5000);
    const maxBatch = positiveInteger('maxBatch', options.maxBatch ?? 2048);
    const synchronous = options.synchronous ?? 'full';
    if (!['full', 'normal', 'extra'].includes(synchronous)) {
      throw new RangeError(`synchronous: expected 'full', 'normal' or 'extra', got ${String(synchronous)}`);
    }
    const maxBytes = options.maxBytes === undefined ? undefined : positiveInteger('maxBytes', options.maxBytes);
    const now = options.now ?? (() => Date.now() / 1000);

    let db: Database;
    try {
      db = new BetterSqlite3(path, { timeout: busyTimeoutMs });
    } catch (cause) {
      throw new DimError('store.failure', `cannot open database ${path}`, { cause });
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
      migrate(db);
      if (maxBytes !== undefined) {
        const pageSize = db.pragma('page_size', { simple: true }) as number;
        db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxBytes / pageSize))}`);
      }
    } catch (cause) {
      db.close();
      throw cause instanceof DimError ? cause : new DimError('store.failure', `cannot open ${path}`, { cause });
    }
    this.#db = db;
    this.#writes = new GroupCommit((work) => db.transaction(work).immediate(), storeError, maxBatch);

    const s = prepareStatements(db);
    const read = <T>(what: string, fn: () => T): Promise<T> => this.#read(what, fn);
    const write = <T>(fn: () => T): Promise<T> => this.#write(fn);

    this.metas = {
      get: async (id) => {
        text('id', id);
        return read('metas.get', () => parseObject(s.metaGet.get(id)));
      },
      put: async (id, meta) => {
        text('id', id);
        const json = encodeObject('meta', meta);
        return write(() => s.metaInsert.run(id, json).changes === 1);
      },
    };

    this.documents = {
      get: async (id, type) => {
        text('id', id);
        if (type !== undefined) text('type', type);
        return read('documents.get', () => {
          const row = type === undefined ? s.documentNewest.get(id) : s.documentGet.get(id, type);
          return row === undefined ? undefined : storedDocument(row);
        });
      },
      list: async (id) => {
        text('id', id);
        return read('documents.list', () => s.documentList.all(id).map(storedDocument));
      },
      put: async (id, type, document, time) => {
        text('id', id);
        text('type', type);
        finite('time', time);
        const json = encodeObject('document', document);
        return write((): DocumentPutResult => {
          const kept = s.documentTime.get(id, type);
          if (kept !== undefined && time <= kept) return time === kept ? 'unchanged' : 'older';
          s.documentUpsert.run(id, type, time, json);
          return 'stored';
        });
      },
    };

    this.inbox = {
      put: async (receiver, message) => {
        text('receiver', receiver);
        const { signature, time, payload } = inboxMessage(message);
        const storedAt = now();
        return write((): InboxPutResult => {
          if (s.inboxHas.get(receiver, signature) !== undefined) return 'duplicate';
          if ((s.inboxCount.get(receiver) ?? 0) >= maxPerReceiver) return 'quota';
          s.inboxInsert.run(receiver, signature, time, storedAt, payload);
          return 'stored';
        });
      },
      list: async (receiver, options) => {
        text('receiver', receiver);
        if (typeof options !== 'object' || options === null) throw new TypeError('options: expected { limit }');
        const limit = positiveInteger('limit', options.limit);
        const afterSeq = options.afterSeq ?? 0;
        if (!Number.isSafeInteger(afterSeq)) throw new RangeError(`afterSeq: expected an integer, got ${afterSeq}`);
        return read('inbox.list', () =>
          s.inboxList.all(receiver, afterSeq, limit).map((r): InboxItem => ({
            seq: r.seq,
            signature: r.signature,
            time: r.time,
            // better-sqlite3 returns a Buffer that owns its memory: expose it as a plain Uint8Array view.
            payload: new Uint8Array(r.payload.buffer, r.payload.byteOffset, r.payload.byteLength),
          })),
        );
      },
      remove: async (receiver, seqs) => {
        text('receiver', receiver);
        if (!Array.isArray(seqs)) throw new TypeError('seqs: expected an array of sequence numbers');
        const list = seqs.map((seq, i) => {
          if (!Number.isSafeInteger(seq)) throw new TypeError(`seqs[${i}]: expected an integer, got ${String(seq)}`);
          return seq;
        });
        if (list.length === 0) return 0;
        return write(() => list.reduce((n, seq) => n + s.inboxRemove.run(receiver, seq).changes, 0));
      },
      count: async (receiver) => {
        text('receiver', receiver);
        return (await read('inbox.count', () => s.inboxCount.get(receiver))) ?? 0;
      },
      total: async () => read('inbox.total', () => s.inboxTotal.get() ?? 0),
      purgeExpired: async (nowSeconds) => {
        finite('nowSeconds', nowSeconds);
        return write(() => s.inboxPurge.run(nowSeconds - retention).changes);
      },
    };

    // The per-message block check (station spec §3 step 1) mostly asks about users with no list at all: keep
    // which (kind, owner) pairs have entries, so those answers need no query. Updated after each committed set.
    const listed = new Set(s.listOwners.all().map((r) => listKey(r.owner, r.kind)));
    this.lists = {
      get: async (owner, kind) => {
        text('owner', owner);
        listKind(kind);
        return read('lists.get', () => s.listGet.all(owner, kind));
      },
      has: async (owner, kind, id) => {
        text('owner', owner);
        listKind(kind);
        text('id', id);
        if (!listed.has(listKey(owner, kind))) return false;
        return (await read('lists.has', () => s.listHas.get(owner, kind, id))) !== undefined;
      },
      set: async (owner, kind, ids) => {
        text('owner', owner);
        listKind(kind);
        if (!Array.isArray(ids)) throw new TypeError('ids: expected an array of IDs');
        ids.forEach((id, i) => text(`ids[${i}]`, id));
        const members = [...new Set(ids)];
        const changed = await write(() => {
          const kept = s.listGet.all(owner, kind);
          if (kept.length === members.length && kept.every((id, i) => id === members[i])) return false;
          s.listClear.run(owner, kind);
          members.forEach((id, position) => s.listInsert.run(owner, kind, position, id));
          return true;
        });
        if (members.length > 0) listed.add(listKey(owner, kind));
        else listed.delete(listKey(owner, kind));
        return changed;
      },
    };

    this.logins = {
      get: async (id) => {
        text('id', id);
        return read('logins.get', (): LoginRecord | undefined => {
          const row = s.loginGet.get(id);
          if (row === undefined) return undefined;
          const message = JSON.parse(row.message) as JsonObject;
          return row.station === null ? { time: row.time, message } : { time: row.time, station: row.station, message };
        });
      },
      put: async (id, record) => {
        text('id', id);
        if (typeof record !== 'object' || record === null) throw new TypeError('record: expected a login record');
        const { time, station } = record;
        finite('record.time', time);
        if (station !== undefined) text('record.station', station);
        const json = encodeObject('record.message', record.message);
        return write(() => {
          const kept = s.loginTime.get(id);
          if (kept !== undefined && time <= kept) return false;
          s.loginUpsert.run(id, time, station ?? null, json);
          return true;
        });
      },
    };

    this.identity = {
      get: async () => {
        return read('identity.get', () => parseObject(s.identityGet.get()));
      },
      put: async (identity) => {
        const json = encodeObject('identity', identity);
        await write(() => s.identityPut.run(json));
      },
    };
  }

  /** Commits every queued write, then closes the database. Later calls do nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#writes.flushAll();
    this.#db.close();
  }

  #read<T>(what: string, fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    try {
      return Promise.resolve(fn());
    } catch (cause) {
      return Promise.reject(new DimError('store.failure', `${what} failed`, { cause }));
    }
  }

  #write<T>(fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#writes.enqueue(fn);
  }
}

function listKey(owner: string, kind: string): string {
  return `${kind}\n${owner}`;
}

function prepareStatements(db: Database) {
  const pluck = <P extends unknown[], R>(sql: string): Statement<P, R> => db.prepare<P, R>(sql).pluck();
  return {
    metaGet: pluck<[string], string>('SELECT meta FROM metas WHERE id = ?'),
    metaInsert: db.prepare<[string, string]>('INSERT INTO metas (id, meta) VALUES (?, ?) ON CONFLICT (id) DO NOTHING'),

    documentGet: db.prepare<[string, string], DocumentRow>(
      'SELECT type, time, document FROM documents WHERE id = ? AND type = ?',
    ),
    documentNewest: db.prepare<[string], DocumentRow>(
      'SELECT type, time, document FROM documents WHERE id = ? ORDER BY time DESC, type LIMIT 1',
    ),
    documentList: db.prepare<[string], DocumentRow>(
      'SELECT type, time, document FROM documents WHERE id = ? ORDER BY time DESC, type',
    ),
    documentTime: pluck<[string, string], number>('SELECT time FROM documents WHERE id = ? AND type = ?'),
    documentUpsert: db.prepare<[string, string, number, string]>(
      `INSERT INTO documents (id, type, time, document) VALUES (?, ?, ?, ?)
       ON CONFLICT (id, type) DO UPDATE SET time = excluded.time, document = excluded.document`,
    ),

    inboxHas: pluck<[string, string], number>('SELECT 1 FROM inbox WHERE receiver = ? AND signature = ?'),
    inboxCount: pluck<[string], number>('SELECT n FROM inbox_counts WHERE receiver = ?'),
    inboxTotal: pluck<[], number>('SELECT COALESCE(SUM(n), 0) FROM inbox_counts'),
    inboxInsert: db.prepare<[string, string, number, number, Uint8Array]>(
      'INSERT INTO inbox (receiver, signature, time, stored_at, payload) VALUES (?, ?, ?, ?, ?)',
    ),
    inboxList: db.prepare<[string, number, number], InboxRow>(
      'SELECT seq, signature, time, payload FROM inbox WHERE receiver = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    inboxRemove: db.prepare<[string, number]>('DELETE FROM inbox WHERE receiver = ? AND seq = ?'),
    inboxPurge: db.prepare<[number]>('DELETE FROM inbox WHERE stored_at < ?'),

    listGet: pluck<[string, string], string>(
      'SELECT member FROM list_entries WHERE owner = ? AND kind = ? ORDER BY position',
    ),
    listHas: pluck<[string, string, string], number>(
      'SELECT 1 FROM list_entries WHERE owner = ? AND kind = ? AND member = ?',
    ),
    listOwners: db.prepare<[], { owner: string; kind: string }>('SELECT DISTINCT owner, kind FROM list_entries'),
    listClear: db.prepare<[string, string]>('DELETE FROM list_entries WHERE owner = ? AND kind = ?'),
    listInsert: db.prepare<[string, string, number, string]>(
      'INSERT INTO list_entries (owner, kind, position, member) VALUES (?, ?, ?, ?)',
    ),

    loginGet: db.prepare<[string], LoginRow>('SELECT time, station, message FROM logins WHERE id = ?'),
    loginTime: pluck<[string], number>('SELECT time FROM logins WHERE id = ?'),
    loginUpsert: db.prepare<[string, number, string | null, string]>(
      `INSERT INTO logins (id, time, station, message) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET time = excluded.time, station = excluded.station, message = excluded.message`,
    ),

    identityGet: pluck<[], string>('SELECT identity FROM identity WHERE slot = 1'),
    identityPut: db.prepare<[string]>(
      'INSERT INTO identity (slot, identity) VALUES (1, ?) ON CONFLICT (slot) DO UPDATE SET identity = excluded.identity',
    ),
  };
}

interface DocumentRow {
  type: string;
  time: number;
  document: string;
}

interface InboxRow {
  seq: number;
  signature: string;
  time: number;
  payload: Uint8Array;
}

interface LoginRow {
  time: number;
  station: string | null;
  message: string;
}

function parseObject(json: string | undefined): JsonObject | undefined {
  return json === undefined ? undefined : (JSON.parse(json) as JsonObject);
}

function storedDocument(row: DocumentRow): StoredDocument {
  return { type: row.type, time: row.time, document: JSON.parse(row.document) as JsonObject };
}

/** SQLITE_FULL is the `maxBytes` limit (or a full disk); anything else is a failure of the store. */
function storeError(cause: unknown): DimError {
  if (cause instanceof DimError) return cause;
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL') return new DimError('store.quota', 'database is full; nothing was written', { cause });
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new DimError('store.failure', `write failed and was rolled back: ${detail}`, { cause });
}

function closedError(): DimError {
  return new DimError('store.failure', 'the store is closed');
}

function inboxMessage(message: InboxMessage): InboxMessage {
  if (typeof message !== 'object' || message === null) throw new TypeError('message: expected an inbox message');
  text('message.signature', message.signature);
  finite('message.time', message.time);
  if (!(message.payload instanceof Uint8Array)) throw new TypeError('message.payload: expected a Uint8Array');
  // Copied now: the caller may reuse its buffer before the batch is written.
  return { signature: message.signature, time: message.time, payload: message.payload.slice() };
}

function encodeObject(name: string, value: JsonObject): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name}: expected a JSON object`);
  }
  return JSON.stringify(value);
}

function text(name: string, value: string): void {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name}: expected a non-empty string`);
}

function finite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${name}: expected a finite number, got ${String(value)}`);
  }
}

function listKind(kind: ListKind): void {
  if (kind !== 'block' && kind !== 'mute') throw new TypeError(`kind: expected 'block' or 'mute', got ${String(kind)}`);
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`${name}: expected a positive number, got ${String(value)}`);
  }
  return value;
}

function positiveInteger(name: string, value: number | undefined): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name}: expected a positive integer, got ${String(value)}`);
  }
  return value;
}
