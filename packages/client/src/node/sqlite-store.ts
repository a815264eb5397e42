import { closeSync, existsSync, openSync } from 'node:fs';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError, isDimError } from '@dimkit/protocol';
import { identityToJson, parseIdentity, type Identity } from '@dimkit/protocol/account';
import type { Content } from '@dimkit/protocol/content';
import type { CryptoBackend } from '@dimkit/protocol/crypto';
import { decodeUtf8, encodeUtf8, type JsonObject } from '@dimkit/protocol/encoding';
import { documentToDict, metaToDict } from '@dimkit/protocol/mkm';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import type {
  CipherKeyRecord,
  ClientStore,
  ContactRecord,
  ConversationSummary,
  EnqueuedOutgoing,
  IncomingRecord,
  IncomingResult,
  NewOutgoing,
  OutboxItem,
  OutboxPatch,
  ReceiptRecord,
  SettleResult,
  StoredMessage,
} from '../core/client-store.js';
import { isAdvance, type MessageState } from '../core/message-state.js';
import { deriveKey, newKdfParams, openSecret, parseKdfParams, randomKey, sealSecret } from '../core/vault.js';
import { nowSeconds, outgoingMessageFields } from '../core/_records.js';
import { migrate } from './_client-migrations.js';

/** How the profile is unlocked: a passphrase (or `DIM_PASSPHRASE`), or a key derived from the identity file. */
export type UnlockMode = 'passphrase' | 'identity';

export interface SqliteClientStoreCreateOptions {
  /** The local identity; its private keys are stored sealed. */
  readonly identity: Identity;
  readonly passphrase: string;
  /** Recorded so tools know what to ask for (default `passphrase`). */
  readonly unlock?: UnlockMode;
  /** scrypt costs (default N = 2^16, r = 8, p = 1); tests use small ones. */
  readonly kdf?: { readonly N: number; readonly r: number; readonly p: number };
  readonly backend?: CryptoBackend;
}

export interface SqliteClientStoreOpenOptions {
  readonly passphrase: string;
  readonly backend?: CryptoBackend;
}

/** What a profile file says about itself without unlocking. */
export interface ProfileInfo {
  readonly id: string;
  readonly unlock: UnlockMode;
}

/** Processed signatures are forgotten after 90 days (stations keep messages 7 days). */
const SEEN_RETENTION_SECONDS = 90 * 24 * 3600;

type Row = Record<string, unknown>;

function json<T>(text: unknown): T {
  return JSON.parse(text as string) as T;
}

function messageFromRow(row: Row): StoredMessage {
  const message: Record<string, unknown> = {
    id: row['id'],
    conversation: row['conversation'],
    direction: row['direction'],
    sender: row['sender'],
    receiver: row['receiver'],
    time: row['time'],
    content: json<Content>(row['content']),
    state: row['state'],
    read: row['read'] === 1,
  };
  if (row['grp'] !== null) message['group'] = row['grp'];
  if (row['signature'] !== null) message['signature'] = row['signature'];
  if (row['error'] !== null) message['error'] = row['error'];
  return message as unknown as StoredMessage;
}

function outboxFromRow(row: Row): OutboxItem {
  const item: Record<string, unknown> = {
    id: row['id'],
    kind: row['kind'],
    receiver: row['receiver'],
    instant: json<JsonObject>(row['instant']),
    state: row['state'],
    attempts: row['attempts'],
    nextAttemptAt: row['next_attempt_at'],
    createdAt: row['created_at'],
  };
  if (row['message_id'] !== null) item['messageId'] = row['message_id'];
  if (row['reliable'] !== null) item['reliable'] = json<JsonObject>(row['reliable']);
  if (row['signature'] !== null) item['signature'] = row['signature'];
  if (row['last_error'] !== null) item['lastError'] = row['last_error'];
  return item as unknown as OutboxItem;
}

function contactFromRow(row: Row): ContactRecord {
  return {
    id: row['id'] as string,
    meta: json<JsonObject>(row['meta']),
    ...(row['document'] === null ? {} : { document: json<JsonObject>(row['document']) }),
    ...(row['document_time'] === null ? {} : { documentTime: row['document_time'] as number }),
    updatedAt: row['updated_at'] as number,
  };
}

function openDatabase(path: string): Database {
  try {
    const db = new BetterSqlite3(path, { timeout: 5000 });
    db.pragma('journal_mode = WAL');
    // FULL: a message acknowledged to the station survives power loss, not only a crash.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (cause) {
    if (isDimError(cause)) throw cause;
    throw new DimError('store.failure', `cannot open client database ${path}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * A client's `ClientStore` in one SQLite file per identity (better-sqlite3, WAL, `synchronous =
 * FULL`, schema migrations). The identity's private keys and the message keys are sealed with a
 * data key, itself sealed with a key derived from the passphrase by scrypt (core/vault.ts): the
 * file holds no private key bytes. Messages and contacts are kept in clear.
 *
 * Create with `SqliteClientStore.create(path, {identity, passphrase})`, open again with
 * `SqliteClientStore.open(path, {passphrase})` (DimError('client.passphrase') when wrong).
 */
export class SqliteClientStore implements ClientStore {
  readonly path: string;
  readonly #db: Database;
  readonly #backend: CryptoBackend;
  #dataKey: Uint8Array;
  #identity: Identity;
  #closed = false;

  private constructor(path: string, db: Database, dataKey: Uint8Array, identity: Identity, backend: CryptoBackend) {
    this.path = path;
    this.#db = db;
    this.#dataKey = dataKey;
    this.#identity = identity;
    this.#backend = backend;
    db.prepare('DELETE FROM seen WHERE time < ?').run(nowSeconds() - SEEN_RETENTION_SECONDS);
  }

  /**
   * Creates the database for `identity` (the file is made private, mode 0600). Throws
   * DimError('store.failure') when the file already holds an identity.
   */
  static async create(path: string, options: SqliteClientStoreCreateOptions): Promise<SqliteClientStore> {
    const backend = options.backend ?? nodeBackend;
    if (typeof options.passphrase !== 'string' || options.passphrase === '') {
      throw new TypeError('passphrase: expected a non-empty string');
    }
    if (!existsSync(path)) closeSync(openSync(path, 'wx', 0o600));
    const db = openDatabase(path);
    try {
      if (db.prepare('SELECT 1 FROM vault').get() !== undefined) {
        throw new DimError('store.failure', `${path} already holds an identity`);
      }
      const identity = options.identity;
      const params = newKdfParams(options.kdf);
      const passphraseKey = await deriveKey(options.passphrase, params);
      const dataKey = randomKey();
      const id = identity.id.text;
      db.prepare(
        `INSERT INTO vault (id, identity, meta, visa, kdf, unlock, wrapped_key, private_keys)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        JSON.stringify(metaToDict(identity.meta)),
        identity.visa === undefined ? null : JSON.stringify(documentToDict(identity.visa)),
        JSON.stringify(params),
        options.unlock ?? 'passphrase',
        sealSecret(passphraseKey, dataKey, `vault:${id}`),
        sealSecret(dataKey, privateKeysOf(identity), `identity:${id}`),
      );
      return new SqliteClientStore(path, db, dataKey, identity, backend);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Opens and unlocks an existing database. Throws DimError('client.passphrase') for a wrong
   * passphrase, DimError('store.failure') for a file without identity or with damaged keys,
   * DimError('store.schema') for a database of a newer dimkit.
   */
  static async open(path: string, options: SqliteClientStoreOpenOptions): Promise<SqliteClientStore> {
    if (!existsSync(path)) throw new DimError('store.failure', `no client database at ${path}`);
    const backend = options.backend ?? nodeBackend;
    const db = openDatabase(path);
    try {
      const row = db.prepare('SELECT * FROM vault WHERE id = 1').get() as Row | undefined;
      if (row === undefined) throw new DimError('store.failure', `${path} holds no identity`);
      const id = row['identity'] as string;
      const passphraseKey = await deriveKey(options.passphrase, parseKdfParams(json(row['kdf'])));
      let dataKey: Uint8Array;
      try {
        dataKey = openSecret(passphraseKey, row['wrapped_key'] as Uint8Array, `vault:${id}`);
      } catch (cause) {
        throw new DimError('client.passphrase', `the passphrase does not unlock the profile of ${id}`, { cause });
      }
      const secrets = json<JsonObject>(
        decodeUtf8(openSecret(dataKey, row['private_keys'] as Uint8Array, `identity:${id}`)),
      );
      const identity = parseIdentity(
        {
          id,
          meta: json(row['meta']),
          ...(row['visa'] === null ? {} : { visa: json(row['visa']) }),
          ...secrets,
        },
        backend,
      );
      return new SqliteClientStore(path, db, dataKey, identity, backend);
    } catch (error) {
      db.close();
      if (isDimError(error) && error.code === 'crypto.decrypt') {
        throw new DimError('store.failure', `${path}: sealed keys are damaged`, { cause: error });
      }
      throw error;
    }
  }

  /** The identity and unlock mode of a profile file, read without unlocking; undefined if it holds none. */
  static inspect(path: string): ProfileInfo | undefined {
    if (!existsSync(path)) return undefined;
    let db: Database | undefined;
    try {
      db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
      const row = db.prepare('SELECT identity, unlock FROM vault WHERE id = 1').get() as Row | undefined;
      return row === undefined ? undefined : { id: row['identity'] as string, unlock: row['unlock'] as UnlockMode };
    } catch (cause) {
      throw new DimError('store.failure', `cannot read client database ${path}: ${(cause as Error).message}`, {
        cause,
      });
    } finally {
      db?.close();
    }
  }

  /** The unlocked identity (with private keys). */
  get identity(): Identity {
    return this.#identity;
  }

  #check(): void {
    if (this.#closed) throw new DimError('store.failure', `client database ${this.path} is closed`);
  }

  /** Replaces the identity (same ID; e.g. after `updateVisa`). Throws RangeError for another ID. */
  async replaceIdentity(identity: Identity): Promise<void> {
    this.#check();
    const id = this.#identity.id.text;
    if (identity.id.text !== id) throw new RangeError(`replaceIdentity: ${identity.id.text} is not ${id}`);
    this.#db
      .prepare('UPDATE vault SET meta = ?, visa = ?, private_keys = ? WHERE id = 1')
      .run(
        JSON.stringify(metaToDict(identity.meta)),
        identity.visa === undefined ? null : JSON.stringify(documentToDict(identity.visa)),
        sealSecret(this.#dataKey, privateKeysOf(identity), `identity:${id}`),
      );
    this.#identity = identity;
  }

  /** Seals the data key under a new passphrase (the sealed keys themselves do not change). */
  async changePassphrase(
    passphrase: string,
    options: { unlock?: UnlockMode; kdf?: { N: number; r: number; p: number } } = {},
  ): Promise<void> {
    this.#check();
    if (typeof passphrase !== 'string' || passphrase === '')
      throw new TypeError('passphrase: expected a non-empty string');
    const params = newKdfParams(options.kdf);
    const key = await deriveKey(passphrase, params);
    const id = this.#identity.id.text;
    this.#db
      .prepare('UPDATE vault SET kdf = ?, wrapped_key = ?, unlock = COALESCE(?, unlock) WHERE id = 1')
      .run(JSON.stringify(params), sealSecret(key, this.#dataKey, `vault:${id}`), options.unlock ?? null);
  }

  // ---- contacts

  async getContact(id: string): Promise<ContactRecord | undefined> {
    this.#check();
    const row = this.#db.prepare('SELECT * FROM contacts WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : contactFromRow(row);
  }

  async putContact(record: ContactRecord): Promise<void> {
    this.#check();
    this.#db
      .prepare(
        `INSERT INTO contacts (id, meta, document, document_time, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET meta = excluded.meta, document = excluded.document,
           document_time = excluded.document_time, updated_at = excluded.updated_at`,
      )
      .run(
        record.id,
        JSON.stringify(record.meta),
        record.document === undefined ? null : JSON.stringify(record.document),
        record.documentTime ?? null,
        record.updatedAt,
      );
  }

  async listContacts(): Promise<ContactRecord[]> {
    this.#check();
    return (this.#db.prepare('SELECT * FROM contacts ORDER BY id').all() as Row[]).map(contactFromRow);
  }

  // ---- settings

  async getSetting(name: string): Promise<string | undefined> {
    this.#check();
    const row = this.#db.prepare('SELECT value FROM settings WHERE name = ?').get(name) as Row | undefined;
    return row === undefined ? undefined : (row['value'] as string);
  }

  async putSetting(name: string, value: string): Promise<void> {
    this.#check();
    this.#db
      .prepare(
        'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      )
      .run(name, value);
  }

  // ---- outgoing

  #enqueueOne(input: NewOutgoing, now: number, previous: number | null = null): EnqueuedOutgoing {
    let messageId: number | null = null;
    const signature = input.reliable?.['signature'];
    if (input.kind === 'message' && input.sameMessage === true && previous !== null) {
      messageId = previous;
    } else if (input.kind === 'message') {
      const fields = outgoingMessageFields(input);
      messageId = Number(
        this.#db
          .prepare(
            `INSERT INTO messages (conversation, direction, sender, receiver, grp, time, content, state, read)
             VALUES (?, 'out', ?, ?, ?, ?, ?, 'pending', 1)`,
          )
          .run(
            fields.conversation,
            fields.sender,
            fields.receiver,
            fields.group ?? null,
            fields.time,
            JSON.stringify(fields.content),
          ).lastInsertRowid,
      );
    }
    const id = Number(
      this.#db
        .prepare(
          `INSERT INTO outbox (kind, message_id, receiver, instant, state, attempts, next_attempt_at, created_at)
           VALUES (?, ?, ?, ?, 'queued', 0, ?, ?)`,
        )
        .run(input.kind, messageId, input.receiver, JSON.stringify(input.instant), now, now).lastInsertRowid,
    );
    if (input.reliable !== undefined && typeof signature === 'string') {
      this.#db
        .prepare('UPDATE outbox SET reliable = ?, signature = ? WHERE id = ?')
        .run(JSON.stringify(input.reliable), signature, id);
      if (messageId !== null) {
        this.#db
          .prepare('UPDATE messages SET signature = ? WHERE id = ? AND signature IS NULL')
          .run(signature, messageId);
      }
    }
    const item = this.#outboxItem(id)!;
    return messageId === null ? { item } : { item, message: this.#message(messageId)! };
  }

  async enqueue(items: readonly NewOutgoing[]): Promise<EnqueuedOutgoing[]> {
    this.#check();
    const now = nowSeconds();
    return this.#db.transaction(() => {
      let previous: number | null = null;
      return items.map((input) => {
        const entry = this.#enqueueOne(input, now, previous);
        if (entry.message !== undefined) previous = entry.message.id;
        return entry;
      });
    })();
  }

  #outboxItem(id: number): OutboxItem | undefined {
    const row = this.#db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : outboxFromRow(row);
  }

  #message(id: number): StoredMessage | undefined {
    const row = this.#db.prepare('SELECT * FROM messages WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : messageFromRow(row);
  }

  async listOutbox(): Promise<OutboxItem[]> {
    this.#check();
    return (this.#db.prepare('SELECT * FROM outbox ORDER BY id').all() as Row[]).map(outboxFromRow);
  }

  async getOutbox(id: number): Promise<OutboxItem | undefined> {
    this.#check();
    return this.#outboxItem(id);
  }

  async listDueOutbox(now: number, afterId: number, limit: number): Promise<OutboxItem[]> {
    this.#check();
    const rows = this.#db
      .prepare(`SELECT * FROM outbox WHERE state != 'failed' AND next_attempt_at <= ? AND id > ? ORDER BY id LIMIT ?`)
      .all(now, afterId, limit) as Row[];
    return rows.map(outboxFromRow);
  }

  async nextOutboxAttempt(): Promise<number | undefined> {
    this.#check();
    const row = this.#db
      .prepare(`SELECT MIN(next_attempt_at) AS next FROM outbox WHERE state != 'failed'`)
      .get() as Row;
    return row['next'] === null ? undefined : (row['next'] as number);
  }

  async updateOutbox(id: number, patch: OutboxPatch): Promise<OutboxItem | undefined> {
    this.#check();
    return this.#db.transaction(() => {
      const item = this.#outboxItem(id);
      if (item === undefined) return undefined;
      const sets: string[] = [];
      const values: unknown[] = [];
      const set = (column: string, value: unknown) => {
        sets.push(`${column} = ?`);
        values.push(value);
      };
      if (patch.reliable !== undefined) set('reliable', JSON.stringify(patch.reliable));
      if (patch.signature !== undefined) set('signature', patch.signature);
      if (patch.state !== undefined) set('state', patch.state);
      if (patch.attempts !== undefined) set('attempts', patch.attempts);
      if (patch.lastError !== undefined) set('last_error', patch.lastError);
      if (patch.nextAttemptAt !== undefined) set('next_attempt_at', patch.nextAttemptAt);
      if (sets.length > 0) this.#db.prepare(`UPDATE outbox SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      const next = this.#outboxItem(id)!;
      if (item.messageId !== undefined) {
        if (patch.signature !== undefined) {
          this.#db.prepare('UPDATE messages SET signature = ? WHERE id = ?').run(patch.signature, item.messageId);
        }
        if (patch.state === 'failed') {
          this.#db
            .prepare(`UPDATE messages SET state = 'failed', error = ? WHERE id = ? AND state = 'pending'`)
            .run(next.lastError ?? null, item.messageId);
        } else if (patch.state === 'queued') {
          this.#db
            .prepare(`UPDATE messages SET state = 'pending', error = NULL WHERE id = ? AND state = 'failed'`)
            .run(item.messageId);
        }
      }
      return next;
    })();
  }

  #addReceipt(messageId: number, receipt: ReceiptRecord): void {
    this.#db
      .prepare('INSERT INTO receipts (message_id, sender, text, state, time) VALUES (?, ?, ?, ?, ?)')
      .run(messageId, receipt.from, receipt.text ?? null, receipt.state, receipt.time);
  }

  async settle(signature: string, state: MessageState, receipt: ReceiptRecord): Promise<SettleResult> {
    this.#check();
    return this.#db.transaction((): SettleResult => {
      const row = this.#db.prepare('SELECT * FROM outbox WHERE signature = ? ORDER BY id LIMIT 1').get(signature) as
        Row | undefined;
      const item = row === undefined ? undefined : outboxFromRow(row);
      if (item !== undefined) this.#db.prepare('DELETE FROM outbox WHERE id = ?').run(item.id);
      // The item's own message first: a message sent to several receivers has several signatures.
      const messageRow = (
        item?.messageId !== undefined
          ? this.#db.prepare(`SELECT * FROM messages WHERE id = ? AND direction = 'out'`).get(item.messageId)
          : this.#db
              .prepare(`SELECT * FROM messages WHERE signature = ? AND direction = 'out' ORDER BY id DESC LIMIT 1`)
              .get(signature)
      ) as Row | undefined;
      let moved: StoredMessage | undefined;
      if (messageRow !== undefined) {
        const message = messageFromRow(messageRow);
        this.#addReceipt(message.id, receipt);
        if (isAdvance(message.state, state)) {
          const error = state === 'failed' ? (receipt.text ?? null) : (message.error ?? null);
          this.#db.prepare('UPDATE messages SET state = ?, error = ? WHERE id = ?').run(state, error, message.id);
          moved = this.#message(message.id);
        }
      }
      return { ...(item === undefined ? {} : { item }), ...(moved === undefined ? {} : { message: moved }) };
    })();
  }

  async removeOutbox(id: number, error: string): Promise<OutboxItem | undefined> {
    this.#check();
    return this.#db.transaction(() => {
      const item = this.#outboxItem(id);
      if (item === undefined) return undefined;
      this.#db.prepare('DELETE FROM outbox WHERE id = ?').run(id);
      if (item.messageId !== undefined) {
        this.#db
          .prepare(`UPDATE messages SET state = 'failed', error = ? WHERE id = ? AND state = 'pending'`)
          .run(error, item.messageId);
      }
      return item;
    })();
  }

  // ---- messages

  async getMessage(id: number): Promise<StoredMessage | undefined> {
    this.#check();
    return this.#message(id);
  }

  async findMessage(signature: string): Promise<StoredMessage | undefined> {
    this.#check();
    const row = this.#db
      .prepare('SELECT * FROM messages WHERE signature = ? ORDER BY id DESC LIMIT 1')
      .get(signature) as Row | undefined;
    return row === undefined ? undefined : messageFromRow(row);
  }

  async listMessages(
    conversation: string,
    options: { limit?: number; before?: number } = {},
  ): Promise<StoredMessage[]> {
    this.#check();
    const rows = this.#db
      .prepare('SELECT * FROM messages WHERE conversation = ? AND id < ? ORDER BY id DESC LIMIT ?')
      .all(conversation, options.before ?? Number.MAX_SAFE_INTEGER, options.limit ?? 100) as Row[];
    return rows.reverse().map(messageFromRow);
  }

  async listIncomingAfter(after: number, limit = 1000): Promise<StoredMessage[]> {
    this.#check();
    const rows = this.#db
      .prepare(`SELECT * FROM messages WHERE direction = 'in' AND id > ? ORDER BY id LIMIT ?`)
      .all(after, limit) as Row[];
    return rows.map(messageFromRow);
  }

  async listConversations(): Promise<ConversationSummary[]> {
    this.#check();
    const rows = this.#db
      .prepare(
        `SELECT conversation AS id, MAX(id) AS last_id, MAX(time) AS last_time, COUNT(*) AS n,
                SUM(CASE WHEN read = 0 THEN 1 ELSE 0 END) AS unread
         FROM messages GROUP BY conversation ORDER BY last_id DESC`,
      )
      .all() as Row[];
    return rows.map((r) => ({
      id: r['id'] as string,
      lastMessageId: r['last_id'] as number,
      lastTime: r['last_time'] as number,
      count: r['n'] as number,
      unread: r['unread'] as number,
    }));
  }

  async markRead(conversation: string): Promise<StoredMessage[]> {
    this.#check();
    return this.#db.transaction(() => {
      const rows = this.#db
        .prepare(`SELECT * FROM messages WHERE conversation = ? AND direction = 'in' AND read = 0 ORDER BY id`)
        .all(conversation) as Row[];
      this.#db
        .prepare(`UPDATE messages SET read = 1 WHERE conversation = ? AND direction = 'in' AND read = 0`)
        .run(conversation);
      return rows.map((row) => ({ ...messageFromRow(row), read: true }));
    })();
  }

  async markReadByPeer(
    conversation: string,
    peer: string,
    time: number,
    receipt: ReceiptRecord,
  ): Promise<StoredMessage[]> {
    this.#check();
    return this.#db.transaction(() => {
      const rows = this.#db
        .prepare(
          `SELECT * FROM messages WHERE conversation = ? AND direction = 'out' AND receiver = ? AND time <= ?
             AND state IN ('sent', 'cached', 'delivered') ORDER BY id`,
        )
        .all(conversation, peer, time) as Row[];
      const update = this.#db.prepare(`UPDATE messages SET state = 'read' WHERE id = ?`);
      return rows.map((row) => {
        const message = messageFromRow(row);
        update.run(message.id);
        this.#addReceipt(message.id, receipt);
        return { ...message, state: 'read' as const };
      });
    })();
  }

  async listReceipts(messageId: number): Promise<ReceiptRecord[]> {
    this.#check();
    const rows = this.#db.prepare('SELECT * FROM receipts WHERE message_id = ? ORDER BY id').all(messageId) as Row[];
    return rows.map((r) => ({
      from: r['sender'] as string,
      ...(r['text'] === null ? {} : { text: r['text'] as string }),
      state: r['state'] as MessageState,
      time: r['time'] as number,
    }));
  }

  // ---- incoming

  async hasSeen(signature: string): Promise<boolean> {
    this.#check();
    return this.#db.prepare('SELECT 1 FROM seen WHERE signature = ?').get(signature) !== undefined;
  }

  async saveIncoming(record: IncomingRecord): Promise<IncomingResult> {
    this.#check();
    return this.#db.transaction((): IncomingResult => {
      const inserted = this.#db
        .prepare('INSERT INTO seen (signature, time) VALUES (?, ?) ON CONFLICT (signature) DO NOTHING')
        .run(record.signature, record.time).changes;
      if (inserted === 0) return { duplicate: true, replies: [] };
      let message: StoredMessage | undefined;
      const m = record.message;
      if (m !== undefined) {
        const id = Number(
          this.#db
            .prepare(
              `INSERT INTO messages (conversation, direction, sender, receiver, grp, time, content, signature, state, read)
               VALUES (?, 'in', ?, ?, ?, ?, ?, ?, 'delivered', 0)`,
            )
            .run(m.conversation, m.sender, m.receiver, m.group ?? null, m.time, JSON.stringify(m.content), m.signature)
            .lastInsertRowid,
        );
        message = this.#message(id);
      }
      const now = nowSeconds();
      const replies = (record.replies ?? []).map((reply) => this.#enqueueOne(reply, now).item);
      return { duplicate: false, ...(message === undefined ? {} : { message }), replies };
    })();
  }

  // ---- message keys

  async loadCipherKeys(): Promise<CipherKeyRecord[]> {
    this.#check();
    const rows = this.#db.prepare('SELECT * FROM cipher_keys').all() as Row[];
    const out: CipherKeyRecord[] = [];
    for (const row of rows) {
      const sender = row['sender'] as string;
      const destination = row['destination'] as string;
      try {
        const key = json<JsonObject>(
          decodeUtf8(openSecret(this.#dataKey, row['sealed'] as Uint8Array, `cipher-key:${sender}\n${destination}`)),
        );
        out.push({ sender, destination, key, since: row['since'] as number });
      } catch (error) {
        // A damaged key only costs a fresh one: skip it.
        if (!isDimError(error)) throw error;
      }
    }
    return out;
  }

  async saveCipherKey(record: CipherKeyRecord): Promise<void> {
    this.#check();
    const sealed = sealSecret(
      this.#dataKey,
      encodeUtf8(JSON.stringify(record.key)),
      `cipher-key:${record.sender}\n${record.destination}`,
    );
    this.#db
      .prepare(
        `INSERT INTO cipher_keys (sender, destination, sealed, since) VALUES (?, ?, ?, ?)
         ON CONFLICT (sender, destination) DO UPDATE SET sealed = excluded.sealed, since = excluded.since`,
      )
      .run(record.sender, record.destination, sealed, record.since);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#dataKey.fill(0);
    this.#db.close();
  }

  /** The crypto backend the identity's keys use. */
  get backend(): CryptoBackend {
    return this.#backend;
  }
}

/** The private half of an identity as sealed JSON bytes: `{privateKey, visaPrivateKey?}`. */
function privateKeysOf(identity: Identity): Uint8Array {
  const { privateKey, visaPrivateKey } = identityToJson(identity);
  return encodeUtf8(JSON.stringify({ privateKey, ...(visaPrivateKey === undefined ? {} : { visaPrivateKey }) }));
}
