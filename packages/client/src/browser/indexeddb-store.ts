import { DimError } from '@dimkit/protocol';
import { decodeUtf8, encodeUtf8, isJsonObject, type JsonObject } from '@dimkit/protocol/encoding';
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
import { nowSeconds, outgoingMessageFields } from '../core/_records.js';
import { defaultFactory, openDatabase, request, transact, walk } from './_idb.js';

/** Most signatures remembered as seen; the oldest are forgotten first (the station keeps messages 7 days). */
export const IDB_MAX_SEEN = 100_000;
const SCHEMA_VERSION = 2;
const NONCE_BYTES = 12;

// Object store names.
const CONTACTS = 'contacts';
const SETTINGS = 'settings';
const MESSAGES = 'messages';
const CONVERSATIONS = 'conversations';
const OUTBOX = 'outbox';
const RECEIPTS = 'receipts';
const SEEN = 'seen';
const KEYS = 'cipherKeys';

/** Message rows carry `incoming` (1 = in, 0 = out) so that an index can range over incoming ids. */
type MessageRow = StoredMessage & { readonly incoming: 0 | 1 };
type ReceiptRow = ReceiptRecord & { readonly messageId: number };
type KeyRow =
  | { readonly sender: string; readonly destination: string; readonly since: number; readonly key: JsonObject }
  | { readonly sender: string; readonly destination: string; readonly since: number; readonly sealed: Uint8Array };

export interface IndexedDbClientStoreOptions {
  /** Default `globalThis.indexedDB`. */
  readonly factory?: IDBFactory;
  /**
   * An AES-GCM key (WebCrypto) sealing the message keys at rest (client-store.ts: "stores keep them
   * encrypted"). Without it they are kept as they are: only for tests.
   */
  readonly secretKey?: CryptoKey;
}

function upgrade(db: IDBDatabase, oldVersion: number, tx: IDBTransaction): void {
  if (oldVersion < 1) {
    db.createObjectStore(CONTACTS, { keyPath: 'id' });
    db.createObjectStore(SETTINGS, { keyPath: 'name' });
    const messages = db.createObjectStore(MESSAGES, { keyPath: 'id', autoIncrement: true });
    messages.createIndex('conversation', ['conversation', 'id']);
    messages.createIndex('signature', 'signature');
    messages.createIndex('incoming', ['incoming', 'id']);
    db.createObjectStore(CONVERSATIONS, { keyPath: 'id' });
    const outbox = db.createObjectStore(OUTBOX, { keyPath: 'id', autoIncrement: true });
    outbox.createIndex('signature', 'signature');
    const receipts = db.createObjectStore(RECEIPTS, { autoIncrement: true });
    receipts.createIndex('messageId', 'messageId');
    const seen = db.createObjectStore(SEEN, { keyPath: 'signature' });
    seen.createIndex('time', 'time');
    db.createObjectStore(KEYS, { keyPath: ['sender', 'destination'] });
  }
  if (oldVersion < 2) {
    // v2: when the outbox is next due, without reading it all.
    tx.objectStore(OUTBOX).createIndex('due', 'nextAttemptAt');
  }
}

function toMessage(row: MessageRow): StoredMessage {
  const { incoming: _incoming, ...message } = row;
  return message;
}

function toRow(message: Omit<StoredMessage, 'id'> & { id?: number }): MessageRow {
  return { ...message, incoming: message.direction === 'in' ? 1 : 0 } as MessageRow;
}

/**
 * A `ClientStore` on IndexedDB, one database per local identity (`dimkit:<ID>`): the browser's
 * durable store for the SDK core. Every method is one transaction. Message keys are sealed with
 * AES-GCM under `secretKey` (additional data: sender and destination), so a copied profile does not
 * give them away without the passphrase that unlocks that key.
 */
export class IndexedDbClientStore implements ClientStore {
  readonly #db: IDBDatabase;
  readonly #secretKey: CryptoKey | undefined;
  #closed = false;
  #seenSincePrune = 0;

  private constructor(db: IDBDatabase, secretKey: CryptoKey | undefined) {
    this.#db = db;
    this.#secretKey = secretKey;
  }

  /** The database name of an identity's store. */
  static databaseName(id: string): string {
    return `dimkit:${id}`;
  }

  /** Opens (creating on first use) the store named `name` (see `databaseName`). */
  static async open(name: string, options: IndexedDbClientStoreOptions = {}): Promise<IndexedDbClientStore> {
    const db = await openDatabase(options.factory ?? defaultFactory(), name, SCHEMA_VERSION, upgrade);
    return new IndexedDbClientStore(db, options.secretKey);
  }

  /** Deletes the database named `name` (close its store first). */
  static async destroy(name: string, factory: IDBFactory = defaultFactory()): Promise<void> {
    await request(factory.deleteDatabase(name) as IDBRequest<unknown>);
  }

  #tx<T>(stores: string | string[], mode: IDBTransactionMode, work: (tx: IDBTransaction) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('IndexedDbClientStore: closed'));
    return transact(this.#db, stores, mode, work);
  }

  // ---------------------------------------------------------------- contacts

  getContact(id: string): Promise<ContactRecord | undefined> {
    return this.#tx(CONTACTS, 'readonly', (tx) => request(tx.objectStore(CONTACTS).get(id)));
  }

  putContact(record: ContactRecord): Promise<void> {
    return this.#tx(CONTACTS, 'readwrite', async (tx) => void (await request(tx.objectStore(CONTACTS).put(record))));
  }

  listContacts(): Promise<ContactRecord[]> {
    return this.#tx(CONTACTS, 'readonly', (tx) => request(tx.objectStore(CONTACTS).getAll()));
  }

  // ---------------------------------------------------------------- settings

  async getSetting(name: string): Promise<string | undefined> {
    const row = await this.#tx(SETTINGS, 'readonly', (tx) =>
      request<{ value: string } | undefined>(tx.objectStore(SETTINGS).get(name)),
    );
    return row?.value;
  }

  putSetting(name: string, value: string): Promise<void> {
    return this.#tx(
      SETTINGS,
      'readwrite',
      async (tx) => void (await request(tx.objectStore(SETTINGS).put({ name, value }))),
    );
  }

  // ---------------------------------------------------------------- outgoing

  /** Adds a message row and counts it in its conversation. */
  async #addMessage(tx: IDBTransaction, message: Omit<StoredMessage, 'id'>): Promise<StoredMessage> {
    const id = (await request(tx.objectStore(MESSAGES).add(toRow(message)))) as number;
    const stored = { ...message, id } as StoredMessage;
    const conversations = tx.objectStore(CONVERSATIONS);
    const summary = await request<ConversationSummary | undefined>(conversations.get(message.conversation));
    const next: ConversationSummary = {
      id: message.conversation,
      lastMessageId: id,
      lastTime: Math.max(message.time, summary?.lastTime ?? 0),
      count: (summary?.count ?? 0) + 1,
      unread: (summary?.unread ?? 0) + (message.read ? 0 : 1),
    };
    await request(conversations.put(next));
    return stored;
  }

  async #enqueueOne(
    tx: IDBTransaction,
    input: NewOutgoing,
    now: number,
    previous?: StoredMessage,
  ): Promise<EnqueuedOutgoing> {
    let message: StoredMessage | undefined;
    const signature = input.reliable?.['signature'];
    if (input.kind === 'message') {
      message =
        input.sameMessage === true && previous !== undefined
          ? previous
          : await this.#addMessage(tx, { ...outgoingMessageFields(input), state: 'pending', read: true });
      if (typeof signature === 'string' && message.signature === undefined) {
        message = (await this.#updateMessage(tx, message.id, (m) => ({ ...m, signature }))) ?? message;
      }
    }
    const fields: Omit<OutboxItem, 'id'> = {
      kind: input.kind,
      ...(message === undefined ? {} : { messageId: message.id }),
      receiver: input.receiver,
      instant: input.instant,
      ...(input.reliable === undefined ? {} : { reliable: input.reliable }),
      ...(typeof signature === 'string' ? { signature } : {}),
      state: 'queued',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    };
    const id = (await request(tx.objectStore(OUTBOX).add(fields))) as number;
    const item = { ...fields, id } as OutboxItem;
    return message === undefined ? { item } : { item, message };
  }

  enqueue(items: readonly NewOutgoing[]): Promise<EnqueuedOutgoing[]> {
    const now = nowSeconds();
    return this.#tx([MESSAGES, CONVERSATIONS, OUTBOX], 'readwrite', async (tx) => {
      const out: EnqueuedOutgoing[] = [];
      let previous: StoredMessage | undefined;
      for (const input of items) {
        const entry = await this.#enqueueOne(tx, input, now, previous);
        if (entry.message !== undefined) previous = entry.message;
        out.push(entry);
      }
      return out;
    });
  }

  listOutbox(): Promise<OutboxItem[]> {
    return this.#tx(OUTBOX, 'readonly', (tx) => request(tx.objectStore(OUTBOX).getAll()));
  }

  getOutbox(id: number): Promise<OutboxItem | undefined> {
    return this.#tx(OUTBOX, 'readonly', (tx) => request(tx.objectStore(OUTBOX).get(id)));
  }

  /** Items not failed with `nextAttemptAt ≤ now` and an id above `afterId`, by id, at most `limit`. */
  listDueOutbox(now: number, afterId: number, limit: number): Promise<OutboxItem[]> {
    return this.#tx(OUTBOX, 'readonly', async (tx) => {
      const out: OutboxItem[] = [];
      if (limit <= 0) return out;
      await walk<OutboxItem>(tx.objectStore(OUTBOX), IDBKeyRange.lowerBound(afterId, true), 'next', (item) => {
        if (item.state !== 'failed' && item.nextAttemptAt <= now) out.push(item);
        return out.length < limit;
      });
      return out;
    });
  }

  /** The earliest `nextAttemptAt` of the items not failed, or undefined when there is none. */
  nextOutboxAttempt(): Promise<number | undefined> {
    return this.#tx(OUTBOX, 'readonly', async (tx) => {
      let next: number | undefined;
      await walk<OutboxItem>(tx.objectStore(OUTBOX).index('due'), null, 'next', (item) => {
        if (item.state === 'failed') return true;
        next = item.nextAttemptAt;
        return false;
      });
      return next;
    });
  }

  /** Applies `change` to message `id` inside `tx`; returns the new message when it changed. */
  async #updateMessage(
    tx: IDBTransaction,
    id: number | undefined,
    change: (m: StoredMessage) => StoredMessage | undefined,
  ): Promise<StoredMessage | undefined> {
    if (id === undefined) return undefined;
    const messages = tx.objectStore(MESSAGES);
    const row = await request<MessageRow | undefined>(messages.get(id));
    if (row === undefined) return undefined;
    const next = change(toMessage(row));
    if (next === undefined) return undefined;
    await request(messages.put(toRow(next)));
    return next;
  }

  updateOutbox(id: number, patch: OutboxPatch): Promise<OutboxItem | undefined> {
    return this.#tx([OUTBOX, MESSAGES], 'readwrite', async (tx) => {
      const outbox = tx.objectStore(OUTBOX);
      const item = await request<OutboxItem | undefined>(outbox.get(id));
      if (item === undefined) return undefined;
      const { lastError, ...rest } = patch;
      const next: OutboxItem = { ...item, ...rest };
      if (lastError === null) delete (next as { lastError?: string }).lastError;
      else if (lastError !== undefined) (next as { lastError?: string }).lastError = lastError;
      await request(outbox.put(next));
      await this.#updateMessage(tx, item.messageId, (m) => {
        let out = m;
        if (patch.signature !== undefined) out = { ...out, signature: patch.signature };
        if (patch.state === 'failed' && m.state === 'pending') {
          out = { ...out, state: 'failed', ...(next.lastError === undefined ? {} : { error: next.lastError }) };
        } else if (patch.state === 'queued' && m.state === 'failed') {
          const { error: _error, ...without } = out;
          out = { ...without, state: 'pending' };
        }
        return out === m ? undefined : out;
      });
      return next;
    });
  }

  settle(signature: string, state: MessageState, receipt: ReceiptRecord): Promise<SettleResult> {
    return this.#tx([OUTBOX, MESSAGES, RECEIPTS], 'readwrite', async (tx) => {
      const outbox = tx.objectStore(OUTBOX);
      // One item per receipt, the oldest first: the copies of a group message split per member share
      // one signature, and each copy gets its own receipt (wire spec §4.8).
      const items = await request<OutboxItem[]>(outbox.index('signature').getAll(signature));
      const item = items.sort((a, b) => a.id - b.id)[0];
      if (item !== undefined) await request(outbox.delete(item.id));
      // The item's own message first: a message sent to several receivers has several signatures.
      const row =
        item?.messageId !== undefined
          ? await request<MessageRow | undefined>(tx.objectStore(MESSAGES).get(item.messageId))
          : await request<MessageRow | undefined>(tx.objectStore(MESSAGES).index('signature').get(signature));
      let moved: StoredMessage | undefined;
      if (row !== undefined) {
        await request(tx.objectStore(RECEIPTS).add({ ...receipt, messageId: row.id } satisfies ReceiptRow));
        moved = await this.#updateMessage(tx, row.id, (m) =>
          m.direction === 'out' && isAdvance(m.state, state)
            ? { ...m, state, ...(state === 'failed' && receipt.text !== undefined ? { error: receipt.text } : {}) }
            : undefined,
        );
      }
      return { ...(item === undefined ? {} : { item }), ...(moved === undefined ? {} : { message: moved }) };
    });
  }

  removeOutbox(id: number, error: string): Promise<OutboxItem | undefined> {
    return this.#tx([OUTBOX, MESSAGES], 'readwrite', async (tx) => {
      const outbox = tx.objectStore(OUTBOX);
      const item = await request<OutboxItem | undefined>(outbox.get(id));
      if (item === undefined) return undefined;
      await request(outbox.delete(id));
      await this.#updateMessage(tx, item.messageId, (m) =>
        m.state === 'pending' ? { ...m, state: 'failed', error } : undefined,
      );
      return item;
    });
  }

  // ---------------------------------------------------------------- messages and conversations

  async getMessage(id: number): Promise<StoredMessage | undefined> {
    const row = await this.#tx(MESSAGES, 'readonly', (tx) =>
      request<MessageRow | undefined>(tx.objectStore(MESSAGES).get(id)),
    );
    return row === undefined ? undefined : toMessage(row);
  }

  async findMessage(signature: string): Promise<StoredMessage | undefined> {
    const row = await this.#tx(MESSAGES, 'readonly', (tx) =>
      request<MessageRow | undefined>(tx.objectStore(MESSAGES).index('signature').get(signature)),
    );
    return row === undefined ? undefined : toMessage(row);
  }

  listMessages(conversation: string, options: { limit?: number; before?: number } = {}): Promise<StoredMessage[]> {
    const limit = options.limit ?? 100;
    const before = options.before ?? Infinity;
    return this.#tx(MESSAGES, 'readonly', async (tx) => {
      const out: StoredMessage[] = [];
      if (limit <= 0) return out;
      const range = IDBKeyRange.bound([conversation, -Infinity], [conversation, before], false, true);
      await walk<MessageRow>(tx.objectStore(MESSAGES).index('conversation'), range, 'prev', (row) => {
        out.push(toMessage(row));
        return out.length < limit;
      });
      return out.reverse();
    });
  }

  listIncomingAfter(after: number, limit = 1000): Promise<StoredMessage[]> {
    return this.#tx(MESSAGES, 'readonly', async (tx) => {
      const out: StoredMessage[] = [];
      if (limit <= 0) return out;
      const range = IDBKeyRange.bound([1, after], [1, Infinity], true, false);
      await walk<MessageRow>(tx.objectStore(MESSAGES).index('incoming'), range, 'next', (row) => {
        out.push(toMessage(row));
        return out.length < limit;
      });
      return out;
    });
  }

  async listConversations(): Promise<ConversationSummary[]> {
    const all = await this.#tx(CONVERSATIONS, 'readonly', (tx) =>
      request<ConversationSummary[]>(tx.objectStore(CONVERSATIONS).getAll()),
    );
    return all.sort((a, b) => b.lastMessageId - a.lastMessageId);
  }

  markRead(conversation: string): Promise<StoredMessage[]> {
    return this.#tx([MESSAGES, CONVERSATIONS], 'readwrite', async (tx) => {
      const conversations = tx.objectStore(CONVERSATIONS);
      const summary = await request<ConversationSummary | undefined>(conversations.get(conversation));
      const changed: StoredMessage[] = [];
      if (summary === undefined || summary.unread === 0) return changed;
      const messages = tx.objectStore(MESSAGES);
      const range = IDBKeyRange.bound([conversation, -Infinity], [conversation, Infinity]);
      // Newest first, and stop once every unread message was found: reading a long conversation stays cheap.
      await walk<MessageRow>(messages.index('conversation'), range, 'prev', (row) => {
        if (row.direction === 'in' && !row.read) {
          const next = { ...row, read: true };
          messages.put(next);
          changed.push(toMessage(next));
        }
        return changed.length < summary.unread;
      });
      await request(conversations.put({ ...summary, unread: 0 }));
      return changed.reverse();
    });
  }

  markReadByPeer(conversation: string, peer: string, time: number, receipt: ReceiptRecord): Promise<StoredMessage[]> {
    return this.#tx([MESSAGES, RECEIPTS], 'readwrite', async (tx) => {
      const messages = tx.objectStore(MESSAGES);
      const receipts = tx.objectStore(RECEIPTS);
      const changed: StoredMessage[] = [];
      const range = IDBKeyRange.bound([conversation, -Infinity], [conversation, Infinity]);
      await walk<MessageRow>(messages.index('conversation'), range, 'next', (row) => {
        if (row.direction !== 'out' || row.receiver !== peer || row.time > time) return true;
        if (!isAdvance(row.state, 'read') || row.state === 'pending' || row.state === 'failed') return true;
        const next: MessageRow = { ...row, state: 'read' };
        messages.put(next);
        receipts.add({ ...receipt, messageId: row.id } satisfies ReceiptRow);
        changed.push(toMessage(next));
        return true;
      });
      return changed;
    });
  }

  async listReceipts(messageId: number): Promise<ReceiptRecord[]> {
    const rows = await this.#tx(RECEIPTS, 'readonly', (tx) =>
      request<ReceiptRow[]>(tx.objectStore(RECEIPTS).index('messageId').getAll(messageId)),
    );
    return rows.map(({ messageId: _id, ...receipt }) => receipt);
  }

  // ---------------------------------------------------------------- incoming

  async hasSeen(signature: string): Promise<boolean> {
    const count = await this.#tx(SEEN, 'readonly', (tx) => request(tx.objectStore(SEEN).count(signature)));
    return count > 0;
  }

  async saveIncoming(record: IncomingRecord): Promise<IncomingResult> {
    const now = nowSeconds();
    const result = await this.#tx([SEEN, MESSAGES, CONVERSATIONS, OUTBOX], 'readwrite', async (tx) => {
      const seen = tx.objectStore(SEEN);
      if ((await request(seen.count(record.signature))) > 0) return { duplicate: true, replies: [] };
      await request(seen.add({ signature: record.signature, time: record.time }));
      let message: StoredMessage | undefined;
      if (record.message !== undefined) {
        message = await this.#addMessage(tx, { ...record.message, direction: 'in', state: 'delivered', read: false });
      }
      const replies: OutboxItem[] = [];
      for (const reply of record.replies ?? []) replies.push((await this.#enqueueOne(tx, reply, now)).item);
      return { duplicate: false, ...(message === undefined ? {} : { message }), replies } satisfies IncomingResult;
    });
    if (!result.duplicate && ++this.#seenSincePrune >= 1000) {
      this.#seenSincePrune = 0;
      await this.#pruneSeen();
    }
    return result;
  }

  /** Forgets the oldest seen signatures beyond IDB_MAX_SEEN. */
  async #pruneSeen(): Promise<void> {
    await this.#tx(SEEN, 'readwrite', async (tx) => {
      const seen = tx.objectStore(SEEN);
      let excess = (await request(seen.count())) - IDB_MAX_SEEN;
      if (excess <= 0) return;
      await walk(seen.index('time'), null, 'next', (_row, cursor) => {
        cursor.delete();
        return --excess > 0;
      });
    });
  }

  // ---------------------------------------------------------------- message keys

  #label(sender: string, destination: string): Uint8Array<ArrayBuffer> {
    return encodeUtf8(`dimkit cipher key\n${sender}\n${destination}`) as Uint8Array<ArrayBuffer>;
  }

  async loadCipherKeys(): Promise<CipherKeyRecord[]> {
    const rows = await this.#tx(KEYS, 'readonly', (tx) => request<KeyRow[]>(tx.objectStore(KEYS).getAll()));
    const out: CipherKeyRecord[] = [];
    for (const row of rows) {
      if ('key' in row) {
        out.push(row);
        continue;
      }
      if (this.#secretKey === undefined) continue;
      try {
        const plain = await crypto.subtle.decrypt(
          {
            name: 'AES-GCM',
            iv: row.sealed.subarray(0, NONCE_BYTES) as Uint8Array<ArrayBuffer>,
            additionalData: this.#label(row.sender, row.destination),
          },
          this.#secretKey,
          row.sealed.subarray(NONCE_BYTES) as Uint8Array<ArrayBuffer>,
        );
        const key = JSON.parse(decodeUtf8(new Uint8Array(plain))) as unknown;
        if (!isJsonObject(key)) throw new DimError('store.failure', 'a stored message key is not a JSON object');
        out.push({ sender: row.sender, destination: row.destination, since: row.since, key });
      } catch {
        // A key sealed under another secret (or altered) is only a lost cache entry: a new key is made.
        continue;
      }
    }
    return out;
  }

  async saveCipherKey(record: CipherKeyRecord): Promise<void> {
    let row: KeyRow = record;
    if (this.#secretKey !== undefined) {
      const iv = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: this.#label(record.sender, record.destination) },
        this.#secretKey,
        encodeUtf8(JSON.stringify(record.key)) as Uint8Array<ArrayBuffer>,
      );
      const bytes = new Uint8Array(NONCE_BYTES + sealed.byteLength);
      bytes.set(iv, 0);
      bytes.set(new Uint8Array(sealed), NONCE_BYTES);
      row = { sender: record.sender, destination: record.destination, since: record.since, sealed: bytes };
    }
    await this.#tx(KEYS, 'readwrite', async (tx) => void (await request(tx.objectStore(KEYS).put(row))));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
