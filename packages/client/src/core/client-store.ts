import type { Content } from '@dimkit/protocol/content';
import type { JsonObject } from '@dimkit/protocol/encoding';
import type { MessageState } from './message-state.js';

/**
 * What a messenger keeps between runs: contacts, conversations and their messages, the outbox,
 * the signatures already processed, and the message keys of each direction. One store belongs
 * to one local identity. Every method is one atomic step (an IndexedDB store can implement it as
 * one transaction), so no caller ever sees half of a change.
 *
 * Records are plain data. Times are seconds since 1970 (floats), like DIMP's.
 */
export interface ClientStore {
  // ---- contacts: metas and documents of other entities (users, stations, groups)
  getContact(id: string): Promise<ContactRecord | undefined>;
  /** Inserts or replaces; the caller validated it (meta ↔ ID, document signature). */
  putContact(record: ContactRecord): Promise<void>;
  listContacts(): Promise<ContactRecord[]>;

  // ---- small named values (the last station ID, a CLI cursor, …)
  getSetting(name: string): Promise<string | undefined>;
  putSetting(name: string, value: string): Promise<void>;

  // ---- outgoing
  /** Persists new outgoing items (and their messages, for kind `message`) before anything is sent. */
  enqueue(items: readonly NewOutgoing[]): Promise<EnqueuedOutgoing[]>;
  /** The outbox in order of creation. */
  listOutbox(): Promise<OutboxItem[]>;
  getOutbox(id: number): Promise<OutboxItem | undefined>;
  /**
   * Items not failed with `nextAttemptAt ≤ now` and an id above `afterId`, by id, at most `limit`.
   * Optional, but a store with a large outbox should have it (and `nextOutboxAttempt`): without
   * them the messenger reads the whole outbox on every flush.
   */
  listDueOutbox?(now: number, afterId: number, limit: number): Promise<OutboxItem[]>;
  /** The earliest `nextAttemptAt` of the items not failed, or undefined when the outbox has none. */
  nextOutboxAttempt?(): Promise<number | undefined>;
  /**
   * Changes an item; a sealed form sets the message's `signature`, state `failed` / `queued` sets
   * the message's state to `failed` / `pending` (with the error). Returns the item after the change.
   */
  updateOutbox(id: number, patch: OutboxPatch): Promise<OutboxItem | undefined>;
  /**
   * A receipt arrived for the sent message with `signature`: removes its outbox item and moves
   * its message forward to `state` (never back), recording `receipt`. Also works when the item
   * is already gone (a later receipt): then only the message moves. Returns what changed.
   */
  settle(signature: string, state: MessageState, receipt: ReceiptRecord): Promise<SettleResult>;
  /** Removes an item without sending it (the user cancelled); its message becomes `failed`. */
  removeOutbox(id: number, error: string): Promise<OutboxItem | undefined>;

  // ---- messages and conversations
  getMessage(id: number): Promise<StoredMessage | undefined>;
  findMessage(signature: string): Promise<StoredMessage | undefined>;
  /** Newest last; `before` = a message id to page back from. */
  listMessages(conversation: string, options?: { limit?: number; before?: number }): Promise<StoredMessage[]>;
  /** Incoming messages with an id above `after`, oldest first (for a CLI that prints what arrived meanwhile). */
  listIncomingAfter(after: number, limit?: number): Promise<StoredMessage[]>;
  listConversations(): Promise<ConversationSummary[]>;
  /** Marks the conversation's incoming messages read; returns those that were unread, oldest first. */
  markRead(conversation: string): Promise<StoredMessage[]>;
  /**
   * A read receipt from the peer: every outgoing message of `conversation` sent to `peer` at or
   * before `time` moves to `read`. Returns the messages that moved.
   */
  markReadByPeer(conversation: string, peer: string, time: number, receipt: ReceiptRecord): Promise<StoredMessage[]>;
  listReceipts(messageId: number): Promise<ReceiptRecord[]>;

  // ---- incoming
  /** Whether a message with this signature was already processed. */
  hasSeen(signature: string): Promise<boolean>;
  /**
   * Records a processed incoming message, atomically: its signature as seen, the message (if it
   * is one to keep) and the replies it calls for (delivery receipts) in the outbox. If the
   * signature was already seen nothing changes and `duplicate` is true.
   */
  saveIncoming(record: IncomingRecord): Promise<IncomingResult>;

  // ---- message keys per direction (wire spec §4.7); secret: stores keep them encrypted at rest
  loadCipherKeys(): Promise<CipherKeyRecord[]>;
  saveCipherKey(record: CipherKeyRecord): Promise<void>;

  close(): Promise<void>;
}

/** The meta and newest valid document (visa for users, bulletin for groups) of an entity. */
export interface ContactRecord {
  readonly id: string;
  readonly meta: JsonObject;
  readonly document?: JsonObject;
  /** The document's signing time, for "send only if newer" queries (`last_time`). */
  readonly documentTime?: number;
  readonly updatedAt: number;
}

export interface StoredMessage {
  readonly id: number;
  /** The peer's ID, or the group's ID for group messages. */
  readonly conversation: string;
  readonly direction: 'in' | 'out';
  readonly sender: string;
  readonly receiver: string;
  readonly group?: string;
  /** The content's time, else the envelope's. */
  readonly time: number;
  readonly content: Content;
  /** The reliable message's signature; absent for an outgoing message not sealed yet. */
  readonly signature?: string;
  /** Outgoing: where the message is. Incoming: `delivered`. */
  readonly state: MessageState;
  readonly error?: string;
  /** Incoming: the user has seen it. Outgoing: always true. */
  readonly read: boolean;
}

export type OutboxKind = 'message' | 'receipt';
/**
 * `queued`: to be sent (again) when due; `in-flight`: written to the station, waiting for its
 * receipt; `failed`: cannot be sent without the user's help (kept, with `lastError`).
 */
export type OutboxState = 'queued' | 'in-flight' | 'failed';

export interface OutboxItem {
  readonly id: number;
  readonly kind: OutboxKind;
  readonly messageId?: number;
  readonly receiver: string;
  /** The instant message (envelope + `content`). */
  readonly instant: JsonObject;
  /** The sealed reliable message, once sealed: every retry sends exactly these bytes. */
  readonly reliable?: JsonObject;
  readonly signature?: string;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly lastError?: string;
  /** Seconds; not sent before. */
  readonly nextAttemptAt: number;
  readonly createdAt: number;
}

export interface NewOutgoing {
  readonly kind: OutboxKind;
  readonly receiver: string;
  readonly instant: JsonObject;
  /** For kind `message`: the conversation the message shows in. */
  readonly conversation?: string;
  /** Already sealed for `receiver`: sent exactly as is on every attempt (its `signature` is recorded now). */
  readonly reliable?: JsonObject;
  /**
   * Kind `message`: this item sends the message of the nearest earlier `message` item of the same
   * `enqueue` call instead of making a new one (one message to several receivers: a group's members).
   */
  readonly sameMessage?: boolean;
}

export interface EnqueuedOutgoing {
  readonly item: OutboxItem;
  readonly message?: StoredMessage;
}

export interface OutboxPatch {
  readonly reliable?: JsonObject;
  readonly signature?: string;
  readonly state?: OutboxState;
  readonly attempts?: number;
  /** `null` clears it. */
  readonly lastError?: string | null;
  readonly nextAttemptAt?: number;
}

export interface ReceiptRecord {
  /** Who says so: the station, or the peer. */
  readonly from: string;
  readonly text?: string;
  readonly state: MessageState;
  readonly time: number;
}

export interface SettleResult {
  readonly item?: OutboxItem;
  /** The message after the change, when it moved. */
  readonly message?: StoredMessage;
}

export interface NewIncomingMessage {
  readonly conversation: string;
  readonly sender: string;
  readonly receiver: string;
  readonly group?: string;
  readonly time: number;
  readonly content: Content;
  readonly signature: string;
}

export interface IncomingRecord {
  readonly signature: string;
  readonly time: number;
  readonly message?: NewIncomingMessage;
  readonly replies?: readonly NewOutgoing[];
}

export interface IncomingResult {
  readonly duplicate: boolean;
  readonly message?: StoredMessage;
  readonly replies: readonly OutboxItem[];
}

export interface ConversationSummary {
  readonly id: string;
  readonly lastMessageId: number;
  readonly lastTime: number;
  readonly count: number;
  readonly unread: number;
}

export interface CipherKeyRecord {
  readonly sender: string;
  readonly destination: string;
  /** The symmetric key dict (`{algorithm, data}`). */
  readonly key: JsonObject;
  /** When the direction started using this key (seconds). */
  readonly since: number;
}
