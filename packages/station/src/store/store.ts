import type { JsonObject } from '@dimkit/protocol/encoding';

/**
 * The station's durable state behind one small contract, so SQLite (default) and PostgreSQL backends are
 * interchangeable (design.md "Storage"). Every member returns a Promise; a backend may answer reads at once.
 *
 * Rules common to all members:
 * - IDs are opaque strings: the caller passes the canonical ID it wants the data filed under (station spec §5.1
 *   files data per address; a newer reference strips the terminal first). The store never parses IDs.
 * - Validation of protocol data (meta matches ID, document signatures, login shape) is the caller's job and
 *   happens before the store; the store persists what it is given.
 * - A wrong argument type (a caller's bug) rejects with TypeError or RangeError.
 * - A write that resolved is committed to durable storage. A write that cannot be committed rejects with
 *   `DimError('store.failure')` (or `DimError('store.quota')` when the backend's size limit is reached) and
 *   leaves nothing behind; writes batched into the same transaction fail together.
 * - After `close()` every member rejects with `DimError('store.failure')`.
 */
export interface Store {
  readonly metas: MetaStore;
  readonly documents: DocumentStore;
  readonly inbox: Inbox;
  readonly lists: ListStore;
  readonly logins: LoginStore;
  readonly identity: IdentityStore;
  /** Finishes queued writes, then releases the backend. Idempotent. */
  close(): Promise<void>;
}

/** Options every backend honours (a backend adds its own on top). */
export interface StoreOptions {
  /** Inbox items older than this many seconds (by arrival) are removed by `inbox.purgeExpired`. Default 7 days. */
  retentionSeconds?: number;
  /** Most items one receiver may have queued; `inbox.put` answers `'quota'` beyond it. Default 20 480. */
  maxPerReceiver?: number;
  /** Clock in seconds since the epoch, used to stamp inbox arrivals. Default `Date.now() / 1000`. */
  now?: () => number;
}

/** station spec §3.2: the reference keeps offline messages for 7 days. */
export const DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600;
/** station spec §3.2 / §7: the reference loads at most 20 480 cached messages on reconnect. */
export const DEFAULT_MAX_PER_RECEIVER = 20_480;

/** Metas by ID. station spec §2.2: the first valid meta is kept forever. */
export interface MetaStore {
  /** The meta stored for `id`, or undefined. */
  get(id: string): Promise<JsonObject | undefined>;
  /** Stores `meta` for `id` unless one is stored already: true if stored, false (no-op) if `id` had one. */
  put(id: string, meta: JsonObject): Promise<boolean>;
}

/** A document as stored: its type (`visa`, `bulletin`, `profile`, ...), its `time` and the document itself. */
export interface StoredDocument {
  readonly type: string;
  readonly time: number;
  readonly document: JsonObject;
}

/** `'stored'`: newer than what was kept; `'unchanged'`: same time as the kept one; `'older'`: refused. */
export type DocumentPutResult = 'stored' | 'older' | 'unchanged';

/** Documents by (ID, type), newest wins (station spec §4 item 2). */
export interface DocumentStore {
  /** The document of `type` for `id`; without `type`, the newest of any type. Undefined if none. */
  get(id: string, type?: string): Promise<StoredDocument | undefined>;
  /** Every document kept for `id` (one per type), newest first. */
  list(id: string): Promise<StoredDocument[]>;
  /**
   * Keeps `document` as the `type` document of `id` if `time` (the document's own time, seconds) is newer than
   * the kept one's. Equal time answers `'unchanged'`, older `'older'`; neither writes anything.
   */
  put(id: string, type: string, document: JsonObject, time: number): Promise<DocumentPutResult>;
}

/** What the router hands to the inbox: the message's signature (its identity), time and original bytes. */
export interface InboxMessage {
  /** The reliable message's `signature` (base64 text); unique per receiver. */
  readonly signature: string;
  /** The message's own `time` (seconds), kept for the caller. */
  readonly time: number;
  /** The bytes exactly as received; returned byte-exact (never re-serialized, design.md data flow). */
  readonly payload: Uint8Array;
}

/** An inbox item as listed: the message plus its sequence number (increasing with arrival, never reused). */
export interface InboxItem extends InboxMessage {
  readonly seq: number;
}

/** `'stored'`: committed; `'duplicate'`: the receiver already has this signature queued; `'quota'`: inbox full. */
export type InboxPutResult = 'stored' | 'duplicate' | 'quota';

/** The durable offline queue (station spec §3.1, §3.2, §8 item 6). */
export interface Inbox {
  /**
   * Queues `message` for `receiver`. A signature the receiver already has queued answers `'duplicate'` (also
   * when the inbox is full); a receiver holding `maxPerReceiver` items answers `'quota'`; otherwise `'stored'`
   * once committed to durable storage. The payload is copied at call time.
   */
  put(receiver: string, message: InboxMessage): Promise<InboxPutResult>;
  /** Up to `limit` (a positive integer) items for `receiver` with `seq > afterSeq` (default 0), in arrival order. */
  list(receiver: string, options: { limit: number; afterSeq?: number }): Promise<InboxItem[]>;
  /** Removes the listed items of `receiver` (others' are untouched); answers how many were removed. */
  remove(receiver: string, seqs: readonly number[]): Promise<number>;
  /** How many items `receiver` has queued. */
  count(receiver: string): Promise<number>;
  /** How many items all receivers have queued (the station's inbox-depth gauge). */
  total(): Promise<number>;
  /**
   * Removes items that arrived more than `retentionSeconds` before `nowSeconds`; answers how many. Expired items
   * stay listed and counted until this runs: the station calls it periodically (and at start).
   */
  purgeExpired(nowSeconds: number): Promise<number>;
}

/** station spec §4 item 4: block = the station drops messages; mute = no push notifications. */
export type ListKind = 'block' | 'mute';

/** Block and mute lists per user. */
export interface ListStore {
  /** The IDs on `owner`'s list of `kind`, in the order set; empty if none. */
  get(owner: string, kind: ListKind): Promise<string[]>;
  /** Whether `id` is on `owner`'s list of `kind` (the per-message check of station spec §3 step 1). */
  has(owner: string, kind: ListKind, id: string): Promise<boolean>;
  /** Replaces the list (duplicates dropped, first occurrence kept); false if it was already exactly that. */
  set(owner: string, kind: ListKind, ids: readonly string[]): Promise<boolean>;
}

/** station spec §2.3: the latest login command of a user, with the station it names and the signed message. */
export interface LoginRecord {
  /** The login command's `time` (seconds). */
  readonly time: number;
  /** The ID of the station the login names, if any. */
  readonly station?: string;
  /** The whole signed login message. */
  readonly message: JsonObject;
}

/** The latest login per user; newer `time` wins (station spec §2.3 step 2). */
export interface LoginStore {
  get(id: string): Promise<LoginRecord | undefined>;
  /** Keeps `record` if it is newer than the kept one: true if stored, false (no-op) if equal or older. */
  put(id: string, record: LoginRecord): Promise<boolean>;
}

/** The station's own identity file (its ID, meta, documents and private keys): handle like a secret. */
export interface IdentityStore {
  get(): Promise<JsonObject | undefined>;
  /** Replaces the stored identity. */
  put(identity: JsonObject): Promise<void>;
}
