import { DimError, isDimError, type DimErrorCode } from '@dimkit/protocol';
import { contactEncryptionKey, contactVerifyKeys, type Contact, type Identity } from '@dimkit/protocol/account';
import {
  CommandName,
  createCommand,
  createDocumentsCommand,
  createHandshakeCommand,
  createLoginCommand,
  createMetaCommand,
  createReceiptCommand,
  forwardedMessages,
  HandshakeTitle,
  isCommand,
  isDocumentsCommand,
  isArrayContent,
  isForwardContent,
  isGroupCommand,
  isHandshakeCommand,
  isMetaCommand,
  isReceiptCommand,
  type Content,
  type HandshakeCommand,
  type ReceiptCommand,
} from '@dimkit/protocol/content';
import type { CryptoBackend } from '@dimkit/protocol/crypto';
import {
  CipherKeyCache,
  destinationFor,
  isBroadcastMessage,
  openMessage,
  parseReliableMessage,
  sealMessage,
  senderAttachments,
  serializeMessage,
  type InstantMessage,
  type ReliableMessage,
} from '@dimkit/protocol/dkd';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { parseSymmetricKey } from '@dimkit/protocol/crypto';
import {
  ANY_STATION,
  documentTime,
  documentToDict,
  EVERYONE,
  metaToDict,
  parseId,
  type ID,
} from '@dimkit/protocol/mkm';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { ClientStore, NewOutgoing, OutboxItem, ReceiptRecord, StoredMessage } from './client-store.js';
import { ContactBook } from './contact-book.js';
import { Emitter } from './emitter.js';
import {
  DELIVERY_RECEIPT_TEXT,
  READ_RECEIPT_TEXT,
  retryDelay,
  stationReceiptState,
  type MessageState,
} from './message-state.js';
import { ParkingLot } from './_parking-lot.js';
import { nowSeconds } from './_records.js';
import { canSend, nextSessionState, type ConnectionState, type SessionEvent } from './session-state.js';
import type { Transport, TransportConnection } from './transport.js';

export interface MessengerOptions {
  /** The local user: its private keys sign and decrypt. */
  readonly identity: Identity;
  readonly store: ClientStore;
  readonly transport: Transport;
  /** Crypto backend (Node: `nodeBackend` from @dimkit/crypto-node); default: pure JS. */
  readonly backend?: CryptoBackend;
  /** Refuse any station but this one (its ID); default: trust the station that answers. */
  readonly stationId?: string;
  /** The `agent` of the login command (default `dimkit`). */
  readonly agent?: string;
  /** Send `PING` when nothing was received for this long (default 16 000 ms, station spec §1.7). */
  readonly heartbeatMs?: number;
  /** Give the link up when nothing was received for this long (default 128 000 ms). */
  readonly deadAfterMs?: number;
  /** Connecting plus handshaking must finish within this (default 30 000 ms, station spec §2.2). */
  readonly handshakeTimeoutMs?: number;
  /** Reconnection backoff; `false` = do not reconnect (the messenger closes with the link). */
  readonly reconnect?: BackoffOptions | false;
  /** A message without receipt is sent again after this, doubling per attempt (default 30 000 ms). */
  readonly retryFirstMs?: number;
  /** … up to this (default 600 000 ms). */
  readonly retryMaxMs?: number;
  /** Tries for a delivery/read receipt we send before it is given up (default 3; receipts are not user messages). */
  readonly receiptAttempts?: number;
  /** Re-broadcast `login` this often while running (default 300 000 ms, station spec §1.7). */
  readonly loginIntervalMs?: number;
  /** At most one meta/documents query per ID in this time (default 60 000 ms). */
  readonly queryIntervalMs?: number;
  /** `contact()` gives up after this (default 30 000 ms). */
  readonly lookupTimeoutMs?: number;
  /**
   * Messages from unknown senders kept while their meta is fetched: in total (default 1024) …
   * (a station pushes up to a few hundred offline messages before its answer to our meta query
   * comes, and they are processed in order; one pushed out waits for the next login)
   */
  readonly maxParked?: number;
  /** … per sender (default 512) … */
  readonly maxParkedPerSender?: number;
  /** … and in bytes of message JSON (default 16 MiB). */
  readonly maxParkedBytes?: number;
  /** Answer user messages with `Message received.` (default true, as reference clients). */
  readonly deliveryReceipts?: boolean;
  /** Send a read receipt (dimkit extension) when `markRead` is called (default true). */
  readonly readReceipts?: boolean;
  /** Random numbers in [0, 1) for backoff jitter (default Math.random). */
  readonly random?: () => number;
  /**
   * The seam for group logic (issue 4 item 3): called for every group command received, after
   * the `group` event, in the processing order of incoming messages.
   */
  readonly onGroupCommand?: (event: GroupEvent) => void | Promise<void>;
  /**
   * Called for each message inside a received forward content (wire spec §5, type 0xFF) before
   * it is verified or opened; returning true takes it (the messenger then leaves it alone). The
   * group assistant takes the group messages it splits without ever opening them (§4.8).
   */
  readonly onForwarded?: (message: ReliableMessage, from: string) => boolean | Promise<boolean>;
}

/** One receiver of `sendMany`. */
export interface Delivery {
  /** A user or bot. */
  readonly receiver: string;
  /** Already sealed for `receiver` (one member's copy of a group message, wire spec §4.8): sent as is. */
  readonly reliable?: ReliableMessage;
}

export interface StateEvent {
  readonly state: ConnectionState;
  /** The station ID, once a station answered. */
  readonly station?: string;
  /** Why the link was lost. */
  readonly reason?: string;
  /** In state `waiting`: when the next connection attempt starts. */
  readonly retryInMs?: number;
}

export interface MessageEvent {
  readonly message: StoredMessage;
  /** The opened message: envelope fields (`SDT`, `traces`, …) + `content`. */
  readonly instant: InstantMessage;
}

export interface ReceiptEvent {
  /** Our message, after the receipt moved it. */
  readonly message: StoredMessage;
  readonly state: MessageState;
  /** The station, or the peer. */
  readonly from: string;
  readonly text?: string;
}

export interface ContactEvent {
  readonly contact: Contact;
}

export interface GroupEvent {
  readonly group: string;
  readonly command: string;
  readonly sender: string;
  readonly content: Content;
  readonly instant: InstantMessage;
  /** The command's message as received, signed by `sender`: relayed unchanged to other members. */
  readonly message: ReliableMessage;
}

export interface OutboxEvent {
  readonly item: OutboxItem;
}

export interface RejectedEvent {
  readonly code: DimErrorCode;
  readonly reason: string;
  readonly sender?: string;
  readonly signature?: string;
}

export interface ErrorEvent {
  readonly error: unknown;
  readonly context: string;
}

export type MessengerEvents = {
  state: StateEvent;
  message: MessageEvent;
  receipt: ReceiptEvent;
  contact: ContactEvent;
  group: GroupEvent;
  outbox: OutboxEvent;
  rejected: RejectedEvent;
  error: ErrorEvent;
};

/** A received frame, acknowledged once every message in it is settled (processed, or given up). */
class Ticket {
  #open = 1;
  #dropped = false;
  readonly #ack: () => void;

  constructor(ack: () => void) {
    this.#ack = ack;
  }

  hold(): void {
    this.#open++;
  }

  /** One message settled; `keep` = false means "do not acknowledge" (the station will send it again). */
  done(keep = true): void {
    if (!keep) this.#dropped = true;
    if (--this.#open === 0 && !this.#dropped) this.#ack();
  }
}

interface Parked {
  readonly message: ReliableMessage;
  readonly ticket: Ticket;
  readonly depth: number;
}

interface Lookup {
  readonly resolve: (contact: Contact) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

interface SessionSend {
  readonly receiver: string;
  readonly content: Content;
  readonly attachIdentity: boolean;
  readonly onSealed?: (message: ReliableMessage) => void;
}

const MAX_FORWARD_DEPTH = 2;
const FLUSH_BATCH = 100;
const MAX_SESSION_QUEUE = 256;
const MAX_TRACKED_QUERIES = 1024;
const MAX_HANDSHAKES_PER_LINK = 8;
const MESSAGE_STATES_DONE: readonly MessageState[] = ['sent', 'cached', 'delivered', 'read'];

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Envelope fields a receipt's `origin` needs (wire spec §6.3); more would echo whatever a peer invented. */
const ORIGIN_FIELDS = ['sender', 'receiver', 'time', 'type', 'group', 'signature'] as const;

/** The `origin` of a receipt for `message`: its scalar envelope fields and the content's `sn`. */
function shortOrigin(message: ReliableMessage, sn: number): JsonObject {
  const origin: JsonObject = {};
  for (const field of ORIGIN_FIELDS) {
    const value = message[field];
    if (typeof value === 'string' || typeof value === 'number') origin[field] = value;
  }
  origin['sn'] = sn;
  return origin;
}

/** `code: reason` as kept in `lastError`, back into a DimError. */
function failure(lastError: string | undefined, fallback: DimErrorCode): DimError {
  const text = lastError ?? 'the message could not be sent';
  const colon = text.indexOf(': ');
  const code = colon > 0 ? text.slice(0, colon) : '';
  return /^[a-z]+\.[a-z_]+$/.test(code)
    ? new DimError(code as DimErrorCode, text.slice(colon + 2))
    : new DimError(fallback, text);
}

/**
 * A DIM client session with a lifetime: connects to a station through `transport`, handshakes
 * (station spec §2.2), keeps the link alive and reconnects, and moves messages both ways with the
 * store as the source of truth. Outgoing messages are persisted before they are sent and sent
 * again until the station's receipt; incoming ones are verified, decrypted, de-duplicated and
 * persisted before the station is told it may forget them.
 *
 * ```ts
 * const messenger = new Messenger({ identity, store, transport, backend: nodeBackend });
 * messenger.on('message', ({ message }) => console.log(message.sender, message.content));
 * await messenger.start();
 * await messenger.send(bob, createTextContent('hi'));
 * ```
 */
export class Messenger {
  readonly #identity: Identity;
  readonly #me: string;
  readonly #store: ClientStore;
  readonly #transport: Transport;
  readonly #backend: CryptoBackend | undefined;
  readonly #contacts: ContactBook;
  readonly #keyCache = new CipherKeyCache();
  /** The key data last written per direction: a key re-read from another message is the same key. */
  readonly #persistedKeys = new Map<string, string>();
  readonly #events: Emitter<MessengerEvents>;
  readonly #options: MessengerOptions;
  readonly #parked: ParkingLot<Parked>;

  #state: ConnectionState = 'idle';
  #conn: TransportConnection | undefined;
  #stationId: string | undefined;
  #session: string | undefined;
  #handshakes = 0;
  #reconnectAttempt = 0;
  #lastReceived = 0;
  #work: Promise<void> = Promise.resolve();
  #flushing = false;
  #flushAgain = false;
  #sessionQueue: SessionSend[] = [];
  readonly #queried = new Map<string, number>();
  readonly #queries = new Map<string, { id: string; kind: 'meta' | 'documents' }>();
  readonly #missing = new Map<string, string>();
  readonly #lookups = new Map<string, Lookup[]>();
  /**
   * Per receiver, the oldest unsealed item waiting for that receiver's meta/visa, and the later
   * ones held back behind it: messages to one receiver leave in the order they were written.
   */
  readonly #waiting = new Map<string, number>();
  readonly #behind = new Map<string, Set<number>>();

  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #loginTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: MessengerOptions) {
    if (options.identity === undefined || options.store === undefined || options.transport === undefined) {
      throw new TypeError('Messenger: identity, store and transport are required');
    }
    this.#options = options;
    this.#identity = options.identity;
    this.#me = options.identity.id.text;
    this.#store = options.store;
    this.#transport = options.transport;
    this.#backend = options.backend;
    this.#contacts = new ContactBook(options.store, options.backend);
    this.#parked = new ParkingLot(
      options.maxParked ?? 1024,
      options.maxParkedPerSender ?? 512,
      options.maxParkedBytes ?? 16 * 1024 * 1024,
    );
    this.#events = new Emitter((error) => this.#events.emit('error', { error, context: 'listener' }));
    if (options.stationId !== undefined) parseId(options.stationId);
  }

  /** The local user's ID. */
  get id(): string {
    return this.#me;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The station's ID, once it answered the handshake. */
  get stationId(): string | undefined {
    return this.#stationId;
  }

  get contacts(): ContactBook {
    return this.#contacts;
  }

  get store(): ClientStore {
    return this.#store;
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof MessengerEvents>(name: K, listener: (event: MessengerEvents[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  off<K extends keyof MessengerEvents>(name: K, listener: (event: MessengerEvents[K]) => void): void {
    this.#events.off(name, listener);
  }

  /**
   * Loads the message keys kept in the store and starts connecting. Resolves once connecting has
   * begun (watch the `state` event for `running`). Calling it again does nothing.
   */
  async start(): Promise<void> {
    if (this.#state !== 'idle') return;
    for (const record of await this.#store.loadCipherKeys()) {
      try {
        const key = parseSymmetricKey(record.key, this.#backend);
        this.#keyCache.set(record.sender, record.destination, key, record.since);
        this.#persistedKeys.set(`${record.sender}\n${record.destination}`, JSON.stringify(key.dict));
      } catch (error) {
        if (!isDimError(error)) throw error;
      }
    }
    // Our own meta and visa, so that our own messages (another device, an echo) verify.
    await this.#contacts.accept(
      this.#me,
      metaToDict(this.#identity.meta),
      this.#identity.visa === undefined ? [] : [documentToDict(this.#identity.visa)],
    );
    const known = await this.#store.getSetting('station');
    if (known !== undefined && (this.#options.stationId === undefined || known === this.#options.stationId)) {
      this.#stationId = known;
    }
    if (this.#state !== 'idle') return;
    this.#transition('start');
    this.#connect();
  }

  /**
   * Closes the link and stops every timer; waits for the message being processed. Parked messages
   * are not acknowledged (the station keeps them). Pending lookups and waits reject with
   * DimError('client.closed'). The store stays open (close it yourself).
   */
  async stop(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#transition('stop');
    this.#clearTimers();
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#retryTimer);
    const conn = this.#conn;
    this.#conn = undefined;
    conn?.close('stopped');
    this.#parked.clear();
    this.#sessionQueue = [];
    for (const [id, lookups] of this.#lookups) {
      this.#lookups.delete(id);
      for (const lookup of lookups) {
        clearTimeout(lookup.timer);
        lookup.reject(new DimError('client.closed', 'the messenger was stopped'));
      }
    }
    await this.#work;
  }

  // ------------------------------------------------------------------ sending

  /**
   * Sends `content` to a user (or bot): the message is stored as `pending` in the conversation and
   * the outbox before anything leaves, then sealed and sent as soon as the station link runs and
   * the receiver's meta/visa is known (fetched from the station if needed), and sent again until
   * the station's receipt. Resolves with the stored message (state `pending`).
   * Throws DimError('id.syntax' | 'address.*') for a bad ID, RangeError for a broadcast or group
   * receiver (group messages go to each member: the group logic does that).
   */
  async send(to: string, content: Content): Promise<StoredMessage> {
    const receiver = parseId(to);
    if (receiver.isBroadcast || receiver.isGroup) {
      throw new RangeError(`send: expected a user or bot ID, got ${to} (a group message is sent to each member)`);
    }
    if (this.#state === 'closed') throw new DimError('client.closed', 'the messenger was stopped');
    const instant: JsonObject = { sender: this.#me, receiver: receiver.text, time: nowSeconds() };
    // wire spec §2.5: non-command messages carry the time of our newest visa (`SDT`).
    const sdt = this.#identity.visa === undefined ? undefined : documentTime(this.#identity.visa);
    if (sdt !== undefined && !isCommand(content)) instant['SDT'] = sdt;
    instant['content'] = content;
    const [entry] = await this.#store.enqueue([{ kind: 'message', receiver: receiver.text, instant }]);
    this.#events.emit('outbox', { item: entry!.item });
    void this.#flushOutbox();
    return entry!.message!;
  }

  /**
   * Sends `content` as one message of `conversation` (a group) to several receivers: one outbox
   * item per delivery, sealed for its receiver when due, or sent exactly as given when it is
   * already sealed (`reliable`). Each item is sent again until the station's receipt; the stored
   * message moves with the first receipt. Resolves with the stored message (state `pending`).
   * Throws RangeError for no deliveries or a broadcast or group receiver.
   */
  async sendMany(conversation: string, content: Content, deliveries: readonly Delivery[]): Promise<StoredMessage> {
    if (deliveries.length === 0) throw new RangeError('sendMany: expected at least one delivery');
    if (this.#state === 'closed') throw new DimError('client.closed', 'the messenger was stopped');
    const time = nowSeconds();
    const sdt = this.#identity.visa === undefined ? undefined : documentTime(this.#identity.visa);
    const items: NewOutgoing[] = deliveries.map((delivery, index) => {
      const receiver = parseId(delivery.receiver);
      if (receiver.isBroadcast || receiver.isGroup) {
        throw new RangeError(`sendMany: expected user or bot receivers, got ${delivery.receiver}`);
      }
      const instant: JsonObject = { sender: this.#me, receiver: receiver.text, time };
      if (sdt !== undefined && !isCommand(content)) instant['SDT'] = sdt;
      instant['content'] = content;
      return {
        kind: 'message',
        receiver: receiver.text,
        instant,
        conversation,
        ...(delivery.reliable === undefined ? {} : { reliable: delivery.reliable as JsonObject }),
        ...(index === 0 ? {} : { sameMessage: true }),
      };
    });
    const entries = await this.#store.enqueue(items);
    for (const entry of entries) this.#events.emit('outbox', { item: entry.item });
    void this.#flushOutbox();
    return entries[0]!.message!;
  }

  /**
   * Resolves when the message has the station's (or the peer's) receipt; rejects with the
   * failure's DimError when it failed, with DimError('client.timeout') after `timeoutMs`
   * (default 30 s; the message stays queued), or DimError('client.closed') when stopped.
   */
  waitForReceipt(messageId: number, timeoutMs = 30_000): Promise<StoredMessage> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        offReceipt();
        offOutbox();
        offState();
        fn();
      };
      const check = (message: StoredMessage | undefined, item?: OutboxItem) => {
        if (message !== undefined && MESSAGE_STATES_DONE.includes(message.state)) finish(() => resolve(message));
        else if (message?.state === 'failed') finish(() => reject(failure(message.error, 'client.closed')));
        else if (item?.state === 'failed') finish(() => reject(failure(item.lastError, 'client.closed')));
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(
              new DimError(
                'client.timeout',
                `no receipt from the station within ${Math.round(timeoutMs / 1000)} s; the message stays in the outbox`,
              ),
            ),
          ),
        timeoutMs,
      );
      const offReceipt = this.on('receipt', (e) => {
        if (e.message.id === messageId) check(e.message);
      });
      const offOutbox = this.on('outbox', (e) => {
        if (e.item.messageId === messageId) check(undefined, e.item);
      });
      const offState = this.on('state', (e) => {
        if (e.state === 'closed') finish(() => reject(new DimError('client.closed', 'the messenger was stopped')));
      });
      void this.#store.getMessage(messageId).then(
        (message) => {
          if (message === undefined) finish(() => reject(new RangeError(`no message ${messageId}`)));
          else check(message);
        },
        (error) => finish(() => reject(error)),
      );
    });
  }

  /** Puts a failed (or waiting) outbox item back in the queue, due now. */
  async retry(itemId: number): Promise<OutboxItem | undefined> {
    const item = await this.#store.getOutbox(itemId);
    if (item === undefined) return undefined;
    this.#missing.delete(item.receiver);
    this.#queried.delete(item.receiver);
    const next = await this.#store.updateOutbox(itemId, { state: 'queued', nextAttemptAt: 0, lastError: null });
    if (next !== undefined) this.#events.emit('outbox', { item: next });
    void this.#flushOutbox();
    return next;
  }

  /** Removes an outbox item unsent; its message is marked failed (`cancelled`). */
  async cancel(itemId: number): Promise<OutboxItem | undefined> {
    return this.#store.removeOutbox(itemId, 'client.closed: cancelled by the user');
  }

  /**
   * Marks the conversation's incoming messages read and, if enabled, tells each sender with one
   * read receipt for the newest message of theirs (a dimkit extension: `"read": true` means "read
   * up to this message"; docs/compatibility.md). Returns the messages that were unread.
   */
  async markRead(conversation: string): Promise<StoredMessage[]> {
    const changed = await this.#store.markRead(conversation);
    if (this.#options.readReceipts === false || changed.length === 0) return changed;
    const newest = new Map<string, StoredMessage>();
    for (const message of changed) {
      if (message.signature === undefined || !parseId(message.sender).isUser) continue;
      newest.set(message.sender, message);
    }
    const replies = [...newest.values()].map((message) => {
      const origin: JsonObject = {
        sender: message.sender,
        receiver: message.receiver,
        time: message.time,
        signature: message.signature!,
        sn: message.content.sn,
      };
      if (message.group !== undefined) origin['group'] = message.group;
      const content = createCommand(
        CommandName.RECEIPT,
        { text: READ_RECEIPT_TEXT, origin, read: true },
        message.group === undefined ? {} : { group: message.group },
      );
      return {
        kind: 'receipt' as const,
        receiver: message.sender,
        instant: { sender: this.#me, receiver: message.sender, time: nowSeconds(), content } as JsonObject,
      };
    });
    await this.#store.enqueue(replies);
    void this.#flushOutbox();
    return changed;
  }

  /**
   * The contact (meta + visa) of `id`: from the store, else asked of the station. Rejects with
   * DimError('meta.missing') when the station knows none, DimError('client.timeout') after
   * `lookupTimeoutMs`, DimError('client.closed') when stopped.
   */
  async contact(id: string): Promise<Contact> {
    const known = await this.#contacts.get(id);
    if (known !== undefined) return known;
    const key = parseId(id).text;
    if (this.#state === 'closed') throw new DimError('client.closed', 'the messenger was stopped');
    return new Promise<Contact>((resolve, reject) => {
      const timeoutMs = this.#options.lookupTimeoutMs ?? 30_000;
      const timer = setTimeout(() => {
        this.#settleLookups(
          key,
          undefined,
          new DimError('client.timeout', `no meta for ${key} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const list = this.#lookups.get(key) ?? [];
      list.push({ resolve, reject, timer });
      this.#lookups.set(key, list);
      this.#missing.delete(key);
      void this.#requestContact(key, true);
    });
  }

  /** Sends a command that needs no outbox (a query, a broadcast): sealed and sent when running, else queued in memory. */
  sendCommand(to: string, content: Content): void {
    this.#sessionSend({ receiver: parseId(to).text, content, attachIdentity: false });
  }

  // ------------------------------------------------------------------ state machine

  #transition(event: SessionEvent, extra: Omit<StateEvent, 'state' | 'station'> = {}): boolean {
    const next = nextSessionState(this.#state, event);
    if (next === undefined) return false;
    const changed = next !== this.#state;
    this.#state = next;
    if (changed || event === 'again') {
      this.#events.emit('state', {
        state: next,
        ...(this.#stationId === undefined ? {} : { station: this.#stationId }),
        ...extra,
      });
    }
    return true;
  }

  #connect(): void {
    this.#handshakes = 0;
    this.#session = undefined;
    const handshakeTimeoutMs = this.#options.handshakeTimeoutMs ?? 30_000;
    let conn: TransportConnection | undefined = undefined;
    const current = () => conn !== undefined && conn === this.#conn;
    conn = this.#transport.connect({
      onOpen: () => {
        if (!current()) return;
        this.#lastReceived = Date.now();
        if (this.#transition('opened')) {
          this.#armIdle();
          this.#sendHello(undefined);
        }
      },
      onPayload: (payload, ack) => {
        if (!current()) return;
        this.#lastReceived = Date.now();
        this.#armIdle();
        const link = conn!;
        this.#enqueueWork(() => this.#processPayload(link, payload, ack));
      },
      onHeartbeat: () => {
        if (!current()) return;
        this.#lastReceived = Date.now();
        this.#armIdle();
      },
      onClose: (reason) => {
        if (!current()) return;
        this.#lost(reason);
      },
    });
    this.#conn = conn;
    clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = setTimeout(() => {
      if (this.#conn === conn && this.#state !== 'running') conn.close('handshake timeout');
    }, handshakeTimeoutMs);
  }

  #lost(reason: string): void {
    this.#conn = undefined;
    this.#clearTimers();
    // Parked messages are given up unacknowledged: the station delivers them again.
    this.#parked.clear();
    this.#sessionQueue = [];
    if (this.#options.reconnect === false) {
      this.#transition('lost', { reason });
      this.#transition('stop');
      return;
    }
    const delay = backoffDelay(this.#reconnectAttempt++, this.#options.reconnect ?? {}, this.#options.random);
    if (!this.#transition('lost', { reason, retryInMs: delay })) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => {
      if (this.#transition('retry')) this.#connect();
    }, delay);
  }

  #clearTimers(): void {
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#handshakeTimer);
    clearTimeout(this.#loginTimer);
    this.#idleTimer = undefined;
    this.#handshakeTimer = undefined;
    this.#loginTimer = undefined;
  }

  /** Heartbeat (station spec §1.7): `PING` after `heartbeatMs` of silence; give up after `deadAfterMs`. */
  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    const heartbeatMs = this.#options.heartbeatMs ?? 16_000;
    const deadAfterMs = this.#options.deadAfterMs ?? 128_000;
    const conn = this.#conn;
    if (conn === undefined) return;
    const silentFor = Date.now() - this.#lastReceived;
    const wait = Math.max(0, Math.min(heartbeatMs, deadAfterMs - silentFor));
    this.#idleTimer = setTimeout(() => {
      if (this.#conn !== conn) return;
      if (Date.now() - this.#lastReceived >= deadAfterMs) {
        conn.close('dead link: nothing received');
        return;
      }
      conn.ping();
      this.#armIdle();
    }, wait);
  }

  // ------------------------------------------------------------------ handshake

  #sendHello(session: string | undefined): void {
    const conn = this.#conn;
    if (conn === undefined) return;
    // station spec §2.2 step 1: first contact goes to station@anywhere, plain, with meta + visa;
    // the answer with the session key goes to the station's real ID, encrypted.
    const first = session === undefined || this.#stationId === undefined;
    const receiver = first ? ANY_STATION.text : this.#stationId!;
    const content = createHandshakeCommand({ title: HandshakeTitle.HELLO, ...(first ? {} : { session }) });
    void this.#seal(receiver, content, first).then(
      (message) => {
        if (this.#conn === conn) conn.send(serializeMessage(message));
      },
      (error) => {
        this.#events.emit('error', { error, context: 'handshake' });
        if (this.#conn === conn) conn.close(`handshake: ${errorText(error)}`);
      },
    );
  }

  async #onHandshake(link: TransportConnection, message: ReliableMessage, content: HandshakeCommand): Promise<void> {
    if (link !== this.#conn) return;
    const title = content.title;
    if (title === HandshakeTitle.AGAIN) {
      // Only the station speaks before we are running; once running only the known station may
      // ask for the handshake again.
      if (this.#state === 'running' && message.sender !== this.#stationId) return;
      if (this.#state !== 'handshaking' && this.#state !== 'running') return;
      const pinned = this.#options.stationId;
      if (pinned !== undefined && message.sender !== pinned) {
        this.#events.emit('rejected', {
          code: 'handshake.invalid',
          reason: `station ${message.sender} is not the expected ${pinned}`,
          sender: message.sender,
        });
        link.close('unexpected station');
        return;
      }
      if (++this.#handshakes > MAX_HANDSHAKES_PER_LINK) {
        link.close('handshake loop');
        return;
      }
      if (this.#stationId !== message.sender) {
        this.#stationId = message.sender;
        await this.#store.putSetting('station', message.sender);
      }
      this.#session = typeof content.session === 'string' ? content.session : undefined;
      if (this.#state === 'running') this.#transition('again');
      this.#sendHello(this.#session);
    } else if (title === HandshakeTitle.SUCCESS) {
      if (this.#state !== 'handshaking' || message.sender !== this.#stationId) return;
      clearTimeout(this.#handshakeTimer);
      this.#reconnectAttempt = 0;
      this.#transition('accepted');
      this.#onRunning();
    }
  }

  #onRunning(): void {
    const visa = this.#identity.visa;
    // station spec §6 step 5: publish our visa, broadcast login, then whatever waited.
    const documents = createDocumentsCommand({
      did: this.#me,
      meta: metaToDict(this.#identity.meta),
      ...(visa === undefined ? {} : { documents: [documentToDict(visa)] }),
    });
    this.#sendNow({ receiver: ANY_STATION.text, content: documents, attachIdentity: false });
    this.#sendNow({ receiver: EVERYONE.text, content: documents, attachIdentity: false });
    this.#sendLogin();
    const queued = this.#sessionQueue;
    this.#sessionQueue = [];
    for (const send of queued) this.#sendNow(send);
    for (const sender of this.#parked.senders()) void this.#requestContact(sender, true);
    for (const id of this.#lookups.keys()) void this.#requestContact(id, true);
    this.#enqueueWork(async () => {
      // A new link: everything waiting for a receipt goes again now (the old link may have lost it).
      for (const item of await this.#store.listOutbox()) {
        if (item.state === 'in-flight') await this.#store.updateOutbox(item.id, { nextAttemptAt: 0 });
      }
      void this.#flushOutbox();
    });
  }

  #sendLogin(): void {
    clearTimeout(this.#loginTimer);
    const station: { did?: string; host?: string; port?: number } = {};
    if (this.#stationId !== undefined) station.did = this.#stationId;
    if (this.#transport.host !== undefined) station.host = this.#transport.host;
    if (this.#transport.port !== undefined) station.port = this.#transport.port;
    const login = createLoginCommand({ did: this.#me, agent: this.#options.agent ?? 'dimkit', station });
    this.#sendNow({ receiver: EVERYONE.text, content: login, attachIdentity: false });
    this.#loginTimer = setTimeout(() => {
      if (this.#state === 'running') this.#sendLogin();
    }, this.#options.loginIntervalMs ?? 300_000);
  }

  // ------------------------------------------------------------------ sealing

  async #seal(receiver: string, content: Content, attachIdentity: boolean): Promise<ReliableMessage> {
    const instant: JsonObject = { sender: this.#me, receiver, time: nowSeconds() };
    if (attachIdentity) {
      instant['meta'] = metaToDict(this.#identity.meta);
      if (this.#identity.visa !== undefined) instant['visa'] = documentToDict(this.#identity.visa);
    }
    instant['content'] = content;
    return this.#sealInstant(instant as InstantMessage);
  }

  async #sealInstant(instant: InstantMessage): Promise<ReliableMessage> {
    const signer = this.#identity.privateKey;
    if (isBroadcastMessage(instant.receiver, instant.group)) {
      return sealMessage(instant, { signer, backend: this.#backend });
    }
    const contact = await this.#contacts.get(instant.receiver);
    if (contact === undefined) throw new DimError('meta.missing', `no meta known for ${instant.receiver}`);
    const message = sealMessage(instant, {
      signer,
      receiverKey: contactEncryptionKey(contact, this.#backend),
      keyCache: this.#keyCache,
      backend: this.#backend,
    });
    await this.#persistKey(instant.sender, destinationFor(instant.receiver, instant.group));
    return message;
  }

  /** Writes the direction's key to the store when it is new (wire spec §4.7 key reuse survives restarts). */
  async #persistKey(sender: string, destination: string): Promise<void> {
    const key = this.#keyCache.get(sender, destination);
    if (key === undefined) return;
    const name = `${sender}\n${destination}`;
    const data = JSON.stringify(key.dict);
    if (this.#persistedKeys.get(name) === data) return;
    this.#persistedKeys.set(name, data);
    await this.#store.saveCipherKey({ sender, destination, key: key.dict as JsonObject, since: nowSeconds() });
  }

  #sessionSend(send: SessionSend): void {
    if (canSend(this.#state)) {
      this.#sendNow(send);
    } else if (this.#state !== 'closed') {
      if (this.#sessionQueue.length >= MAX_SESSION_QUEUE) this.#sessionQueue.shift();
      this.#sessionQueue.push(send);
    }
  }

  #sendNow(send: SessionSend): void {
    const conn = this.#conn;
    if (conn === undefined) return;
    void this.#seal(send.receiver, send.content, send.attachIdentity).then(
      (message) => {
        send.onSealed?.(message);
        if (this.#conn === conn) conn.send(serializeMessage(message));
      },
      (error) => this.#events.emit('error', { error, context: `send to ${send.receiver}` }),
    );
  }

  // ------------------------------------------------------------------ outbox

  /**
   * Sends every due outbox item, in batches by id (a drain of thousands of messages, each queuing
   * a receipt, visits each item once); then arms a timer for the next due item. One flush at a
   * time: a request during a flush runs another after it.
   */
  async #flushOutbox(): Promise<void> {
    if (this.#flushing) {
      this.#flushAgain = true;
      return;
    }
    this.#flushing = true;
    try {
      do {
        this.#flushAgain = false;
        if (!canSend(this.#state)) return;
        const now = nowSeconds();
        let after = 0;
        for (;;) {
          const batch = await this.#dueOutbox(now, after);
          for (const item of batch) {
            if (!canSend(this.#state)) return;
            await this.#attempt(item);
          }
          if (batch.length < FLUSH_BATCH) break;
          after = batch[batch.length - 1]!.id;
        }
        clearTimeout(this.#retryTimer);
        const next = await this.#nextOutboxAttempt();
        if (next !== undefined && canSend(this.#state)) {
          const delay = Math.max(50, (next - nowSeconds()) * 1000);
          this.#retryTimer = setTimeout(() => void this.#flushOutbox(), Math.min(delay, 2 ** 31 - 1));
        }
      } while (this.#flushAgain);
    } catch (error) {
      this.#events.emit('error', { error, context: 'outbox' });
    } finally {
      this.#flushing = false;
    }
  }

  async #dueOutbox(now: number, after: number): Promise<OutboxItem[]> {
    if (this.#store.listDueOutbox !== undefined) return this.#store.listDueOutbox(now, after, FLUSH_BATCH);
    const all = await this.#store.listOutbox();
    return all
      .filter((item) => item.id > after && item.state !== 'failed' && item.nextAttemptAt <= now)
      .slice(0, FLUSH_BATCH);
  }

  async #nextOutboxAttempt(): Promise<number | undefined> {
    if (this.#store.nextOutboxAttempt !== undefined) return this.#store.nextOutboxAttempt();
    const times = (await this.#store.listOutbox()).filter((i) => i.state !== 'failed').map((i) => i.nextAttemptAt);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /** One try of one item: seal it if needed, persist, send; or say what it waits for. */
  async #attempt(item: OutboxItem): Promise<void> {
    if (item.kind === 'receipt' && item.attempts >= (this.#options.receiptAttempts ?? 3)) {
      await this.#store.removeOutbox(item.id, 'client.timeout: no receipt from the station');
      return;
    }
    let reliable = item.reliable as ReliableMessage | undefined;
    if (reliable === undefined) {
      if (await this.#heldBack(item)) return;
      const missing = this.#missing.get(item.receiver);
      if (missing !== undefined) {
        await this.#fail(item, missing);
        this.#released(item);
        return;
      }
      try {
        reliable = await this.#sealInstant(item.instant as InstantMessage);
      } catch (error) {
        if (!isDimError(error)) throw error;
        if (error.code === 'meta.missing' || error.code === 'visa.missing') {
          // Not known yet: ask the station. The item is due again when the contact arrives, or
          // after the query interval (when it asks again).
          this.#waiting.set(item.receiver, item.id);
          void this.#requestContact(item.receiver, false);
          const lastError = `${error.code}: waiting for the meta/visa of ${item.receiver}`;
          const next = await this.#store.updateOutbox(item.id, {
            lastError,
            nextAttemptAt: nowSeconds() + (this.#options.queryIntervalMs ?? 60_000) / 1000,
          });
          if (next !== undefined && item.lastError !== lastError) this.#events.emit('outbox', { item: next });
          return;
        }
        await this.#fail(item, error.message);
        this.#released(item);
        return;
      }
      this.#released(item);
    }
    const conn = this.#conn;
    if (conn === undefined || !canSend(this.#state)) return;
    const attempts = item.attempts + 1;
    const nextAttemptAt =
      nowSeconds() + retryDelay(attempts, this.#options.retryFirstMs, this.#options.retryMaxMs) / 1000;
    // Persist the sealed form before it leaves: every retry sends the same signature.
    const next = await this.#store.updateOutbox(item.id, {
      reliable: reliable as JsonObject,
      signature: reliable.signature,
      state: 'in-flight',
      attempts,
      nextAttemptAt,
      lastError: null,
    });
    if (next === undefined) return; // settled meanwhile
    if (this.#conn === conn) conn.send(serializeMessage(reliable));
    if (item.state !== 'in-flight' || item.lastError !== undefined) this.#events.emit('outbox', { item: next });
  }

  /**
   * Whether `item` must wait behind an older unsealed item to the same receiver (which waits for
   * the receiver's meta/visa); if so it is put off until that one leaves.
   */
  async #heldBack(item: OutboxItem): Promise<boolean> {
    const first = this.#waiting.get(item.receiver);
    if (first === undefined || first === item.id) return false;
    if (first > item.id) {
      // An older item came (a retry): it goes first now.
      this.#waiting.set(item.receiver, item.id);
      this.#holdBack(item.receiver, first);
      return false;
    }
    const head = await this.#store.getOutbox(first);
    if (head === undefined || head.reliable !== undefined || head.state === 'failed') {
      // The head left some other way (cancelled, settled, failed): the next in line goes.
      this.#advanceLine(item.receiver);
      return this.#waiting.get(item.receiver) !== item.id && (await this.#heldBack(item));
    }
    this.#holdBack(item.receiver, item.id);
    await this.#store.updateOutbox(item.id, { nextAttemptAt: head.nextAttemptAt });
    return true;
  }

  #holdBack(receiver: string, id: number): void {
    let set = this.#behind.get(receiver);
    if (set === undefined) {
      set = new Set();
      this.#behind.set(receiver, set);
    }
    set.add(id);
  }

  /** `item` was sealed or failed: if it headed its receiver's line, the next one goes. */
  #released(item: OutboxItem): void {
    if (this.#waiting.get(item.receiver) === item.id) this.#advanceLine(item.receiver);
  }

  /**
   * The next held-back item of `receiver` becomes the head and is due now; one at a time, so that
   * nothing written later overtakes them.
   */
  #advanceLine(receiver: string): void {
    const held = this.#behind.get(receiver);
    if (held === undefined || held.size === 0) {
      this.#waiting.delete(receiver);
      this.#behind.delete(receiver);
      return;
    }
    const next = Math.min(...held);
    held.delete(next);
    if (held.size === 0) this.#behind.delete(receiver);
    this.#waiting.set(receiver, next);
    void this.#store.updateOutbox(next, { nextAttemptAt: 0 }).then(() => void this.#flushOutbox());
  }

  /** The contact of `receiver` arrived (or is known missing): the head of its line is due now. */
  async #wakeItemsFor(receiver: string): Promise<void> {
    const head = this.#waiting.get(receiver);
    if (head !== undefined) await this.#store.updateOutbox(head, { nextAttemptAt: 0 });
  }

  async #fail(item: OutboxItem, reason: string): Promise<void> {
    const next = await this.#store.updateOutbox(item.id, { state: 'failed', lastError: reason });
    if (next !== undefined) this.#events.emit('outbox', { item: next });
  }

  // ------------------------------------------------------------------ contacts

  /** Asks the station for the meta and documents of `id` (wire spec §6.1, §6.2), at most once per `queryIntervalMs` unless forced. */
  async #requestContact(id: string, force: boolean): Promise<void> {
    const now = Date.now();
    const last = this.#queried.get(id);
    if (!force && last !== undefined && now - last < (this.#options.queryIntervalMs ?? 60_000)) return;
    this.#queried.set(id, now);
    if (this.#queried.size > MAX_TRACKED_QUERIES) this.#queried.delete(this.#queried.keys().next().value!);
    const record = await this.#contacts.record(id);
    const track = (kind: 'meta' | 'documents') => (message: ReliableMessage) => {
      this.#queries.set(message.signature, { id, kind });
      if (this.#queries.size > MAX_TRACKED_QUERIES) this.#queries.delete(this.#queries.keys().next().value!);
    };
    if (record === undefined) {
      this.#sessionSend({
        receiver: ANY_STATION.text,
        content: createMetaCommand({ did: id }),
        attachIdentity: false,
        onSealed: track('meta'),
      });
    }
    const lastTime = record?.documentTime;
    this.#sessionSend({
      receiver: ANY_STATION.text,
      content: createDocumentsCommand({ did: id, ...(lastTime === undefined ? {} : { last_time: lastTime }) }),
      attachIdentity: false,
      onSealed: track('documents'),
    });
  }

  #settleLookups(id: string, contact: Contact | undefined, error?: unknown): void {
    const lookups = this.#lookups.get(id);
    if (lookups === undefined) return;
    this.#lookups.delete(id);
    for (const lookup of lookups) {
      clearTimeout(lookup.timer);
      if (contact !== undefined) lookup.resolve(contact);
      else lookup.reject(error);
    }
  }

  /** A meta/documents answer or attachment was accepted: release what waited for it. */
  async #contactUpdated(contact: Contact, changed: boolean): Promise<void> {
    const id = contact.id.text;
    this.#missing.delete(id);
    if (changed) this.#events.emit('contact', { contact });
    this.#settleLookups(id, contact);
    for (const parked of this.#parked.release(id)) {
      await this.#processParked(parked);
    }
    if (changed) {
      await this.#wakeItemsFor(id);
      void this.#flushOutbox();
    }
  }

  /** The station says it has no meta/document for `id`. */
  async #contactMissing(id: string, kind: 'meta' | 'documents', text: string): Promise<void> {
    const known = await this.#contacts.get(id);
    if (known !== undefined) {
      // We have the meta: only the document is missing. That only matters if we cannot encrypt.
      this.#settleLookups(id, known);
      try {
        contactEncryptionKey(known, this.#backend);
        return;
      } catch (error) {
        if (!isDimError(error)) throw error;
        this.#missing.set(id, `visa.missing: ${id} has no visa key and its meta key cannot encrypt (${text})`);
      }
    } else {
      // Unknown entity: the meta query's answer decides (a documents query goes along with it).
      if (kind === 'documents') return;
      this.#missing.set(id, `meta.missing: the station knows no meta for ${id} (${text})`);
    }
    const reason = this.#missing.get(id)!;
    this.#settleLookups(id, undefined, failure(reason, 'meta.missing'));
    for (const parked of this.#parked.release(id)) {
      this.#events.emit('rejected', {
        code: 'meta.missing',
        reason,
        sender: parked.message.sender,
        signature: parked.message.signature,
      });
      parked.ticket.done();
    }
    // What waits to be sent to `id` fails now, visibly (wire spec: nothing is lost silently).
    await this.#wakeItemsFor(id);
    void this.#flushOutbox();
  }

  // ------------------------------------------------------------------ receiving

  #enqueueWork(job: () => Promise<void>): void {
    this.#work = this.#work.then(job).catch((error) => this.#events.emit('error', { error, context: 'receive' }));
  }

  async #processPayload(link: TransportConnection, payload: string, ack: () => void): Promise<void> {
    const ticket = new Ticket(ack);
    // station spec §1.6: a payload starting with `{` may hold several messages, one per line.
    const lines = payload.startsWith('{') ? payload.split('\n') : [payload];
    for (const line of lines) {
      if (line.trim() === '') continue;
      ticket.hold();
      let message: ReliableMessage;
      try {
        message = parseReliableMessage(line);
      } catch (error) {
        if (!isDimError(error)) throw error;
        this.#events.emit('rejected', { code: error.code, reason: error.message });
        ticket.done();
        continue;
      }
      await this.#processReliable(link, message, ticket, 0);
    }
    ticket.done();
  }

  async #processParked(parked: Parked): Promise<void> {
    const link = this.#conn;
    if (link === undefined) return;
    await this.#processReliable(link, parked.message, parked.ticket, parked.depth, true);
  }

  /** Verifies, opens and handles one message; settles `ticket` for it (now, or when it leaves the parking lot). */
  async #processReliable(
    link: TransportConnection,
    message: ReliableMessage,
    ticket: Ticket,
    depth: number,
    unparked = false,
  ): Promise<void> {
    try {
      if (await this.#store.hasSeen(message.signature)) {
        ticket.done();
        return;
      }
      if (
        (message.meta !== undefined && message.meta !== null) ||
        (message.visa !== undefined && message.visa !== null)
      ) {
        await this.#acceptAttachments(message);
      }
      const sender = parseId(message.sender);
      const contact = await this.#contacts.get(sender.text);
      if (contact === undefined) {
        if (sender.isBroadcast || unparked) {
          this.#reject(message, new DimError('meta.missing', `no meta for the sender ${sender.text}`));
          ticket.done();
          return;
        }
        // wire spec §4.5 step 3: park it and ask the station for the sender's meta/visa.
        const bytes = message.data.length + message.signature.length + 512;
        for (const evicted of this.#parked.park(sender.text, { message, ticket, depth }, bytes)) {
          evicted.ticket.done(false);
        }
        // A sender the station said it did not know has written since: ask again at once.
        void this.#requestContact(sender.text, this.#missing.has(sender.text));
        return;
      }
      let instant: InstantMessage;
      try {
        instant = openMessage(message, {
          me: this.#me,
          decryptKeys: this.#identity.decryptKeys,
          verifyKeys: contactVerifyKeys(contact, this.#backend),
          keyCache: this.#keyCache,
          backend: this.#backend,
        });
      } catch (error) {
        if (!isDimError(error)) throw error;
        this.#reject(message, error);
        ticket.done();
        return;
      }
      if (!isBroadcastMessage(message.receiver, message.group)) {
        await this.#persistKey(message.sender, destinationFor(message.receiver, message.group));
      }
      await this.#handle(link, message, instant, sender, ticket, depth);
      ticket.done();
    } catch (error) {
      // Not bad data but a failure of ours (the store): do not acknowledge, the station keeps it.
      this.#events.emit('error', { error, context: `message from ${message.sender}` });
      ticket.done(false);
    }
  }

  #reject(message: ReliableMessage, error: DimError): void {
    this.#events.emit('rejected', {
      code: error.code,
      reason: error.message,
      sender: message.sender,
      signature: message.signature,
    });
  }

  async #acceptAttachments(message: ReliableMessage): Promise<void> {
    const known = await this.#contacts.get(message.sender);
    const attached = senderAttachments(message, known?.meta, this.#backend);
    if (attached.meta === undefined && attached.visa === undefined) return;
    const update = await this.#contacts.accept(
      message.sender,
      attached.meta?.dict,
      attached.visa === undefined ? [] : [attached.visa.dict],
    );
    // First contact (wire spec §4.5 step 2): what waited for this sender goes now, in order.
    if (update !== undefined && update.changed) await this.#contactUpdated(update.contact, true);
  }

  async #markSeen(message: ReliableMessage): Promise<boolean> {
    const result = await this.#store.saveIncoming({ signature: message.signature, time: nowSeconds() });
    return !result.duplicate;
  }

  async #handle(
    link: TransportConnection,
    message: ReliableMessage,
    instant: InstantMessage,
    sender: ID,
    ticket: Ticket,
    depth: number,
  ): Promise<void> {
    const content = instant.content as Content;
    if (isHandshakeCommand(content)) {
      await this.#onHandshake(link, message, content);
      return;
    }
    if (isReceiptCommand(content)) {
      // A station receipt is applied idempotently (states only move forward): no need to spend a
      // write on remembering it. A peer's receipt is remembered like any message.
      if (message.sender === this.#stationId || (await this.#markSeen(message)))
        await this.#onReceipt(message, content);
      return;
    }
    if (isMetaCommand(content) || isDocumentsCommand(content)) {
      if (!(await this.#markSeen(message))) return;
      const documents = isDocumentsCommand(content) ? (content.documents ?? []) : [];
      if (content.meta === undefined && documents.length === 0) return; // a query to us: we answer none
      const update = await this.#contacts.accept(content.did, content.meta, documents);
      if (update !== undefined) await this.#contactUpdated(update.contact, update.changed);
      return;
    }
    if (isGroupCommand(content)) {
      if (!(await this.#markSeen(message))) return;
      const event: GroupEvent = {
        group: content.group,
        command: content.command,
        sender: message.sender,
        content,
        instant,
        message,
      };
      this.#events.emit('group', event);
      await this.#options.onGroupCommand?.(event);
      return;
    }
    if (isArrayContent(content)) {
      if (depth >= MAX_FORWARD_DEPTH) return;
      // wire spec §5: each entry is processed as if it had come alone (a dimkit station coalesces the receipts
      // of one turn this way). A peer's entries are told apart by their index, so de-duplication keeps them all.
      const fromStation = message.sender === this.#stationId;
      let i = 0;
      for (const entry of content.contents) {
        const as = fromStation ? message : ({ ...message, signature: `${message.signature}#${i}` } as ReliableMessage);
        i++;
        await this.#handle(link, as, { ...instant, content: entry } as InstantMessage, sender, ticket, depth + 1);
      }
      return;
    }
    if (isForwardContent(content)) {
      if (!(await this.#markSeen(message))) return;
      if (depth >= MAX_FORWARD_DEPTH) return;
      // wire spec §5: each forwarded message is processed as if it had come itself.
      for (const inner of forwardedMessages(content)) {
        let forwarded: ReliableMessage;
        try {
          forwarded = parseReliableMessage(inner);
        } catch (error) {
          if (!isDimError(error)) throw error;
          this.#events.emit('rejected', { code: error.code, reason: error.message, sender: message.sender });
          continue;
        }
        if (this.#options.onForwarded !== undefined && (await this.#options.onForwarded(forwarded, message.sender))) {
          continue;
        }
        ticket.hold();
        await this.#processReliable(link, forwarded, ticket, depth + 1);
      }
      return;
    }
    if (isCommand(content)) {
      // login, report, block, … are for stations and bots; reference clients answer no command.
      await this.#markSeen(message);
      return;
    }
    await this.#onUserContent(message, instant, content, sender);
  }

  async #onUserContent(message: ReliableMessage, instant: InstantMessage, content: Content, sender: ID): Promise<void> {
    const group = content.group ?? message.group;
    const replies = [];
    // wire spec §6.3: user clients answer user messages (never commands) with "Message received.".
    if (this.#options.deliveryReceipts !== false && sender.isUser && sender.text !== this.#me) {
      const receipt = createReceiptCommand(
        { text: DELIVERY_RECEIPT_TEXT, origin: shortOrigin(message, content.sn) },
        group === undefined ? {} : { group },
      );
      replies.push({
        kind: 'receipt' as const,
        receiver: sender.text,
        instant: { sender: this.#me, receiver: sender.text, time: nowSeconds(), content: receipt } as JsonObject,
      });
    }
    const result = await this.#store.saveIncoming({
      signature: message.signature,
      time: nowSeconds(),
      message: {
        conversation: group ?? sender.text,
        sender: sender.text,
        receiver: message.receiver,
        ...(group === undefined ? {} : { group }),
        time: typeof content.time === 'number' ? content.time : message.time,
        content,
        signature: message.signature,
      },
      replies,
    });
    if (result.duplicate || result.message === undefined) return;
    this.#events.emit('message', { message: result.message, instant });
    // wire spec §2.5: a newer `SDT` than the visa we hold means the sender changed it.
    const sdt = message['SDT'];
    if (typeof sdt === 'number') {
      const record = await this.#contacts.record(sender.text);
      if (record !== undefined && sdt > (record.documentTime ?? 0)) void this.#requestContact(sender.text, false);
    }
    if (result.replies.length > 0) void this.#flushOutbox();
  }

  async #onReceipt(message: ReliableMessage, content: ReceiptCommand): Promise<void> {
    const origin = content.origin;
    const signature = origin?.['signature'];
    if (typeof signature !== 'string') return;
    const text = content.text;
    const fromStation = message.sender === this.#stationId;
    if (fromStation) {
      const query = this.#queries.get(signature);
      if (query !== undefined) {
        this.#queries.delete(signature);
        if (text !== undefined && text.endsWith(' not found.')) await this.#contactMissing(query.id, query.kind, text);
        else if (text === 'Document not updated.') {
          const known = await this.#contacts.get(query.id);
          if (known !== undefined) this.#settleLookups(query.id, known);
        }
        return;
      }
      const state = stationReceiptState(text);
      await this.#settle(signature, state, {
        from: message.sender,
        state,
        time: nowSeconds(),
        ...(text === undefined ? {} : { text }),
      });
      return;
    }
    // A peer's receipt: only the receiver of our message may vouch for it.
    const original = await this.#store.findMessage(signature);
    if (original === undefined || original.direction !== 'out' || original.receiver !== message.sender) return;
    const read = content['read'] === true;
    const state: MessageState = read ? 'read' : 'delivered';
    const receipt: ReceiptRecord = {
      from: message.sender,
      state,
      time: nowSeconds(),
      ...(text === undefined ? {} : { text }),
    };
    await this.#settle(signature, state, receipt);
    if (read) {
      // "read up to": every earlier message of ours to this peer in the conversation was read too.
      for (const moved of await this.#store.markReadByPeer(
        original.conversation,
        message.sender,
        original.time,
        receipt,
      )) {
        this.#events.emit('receipt', {
          message: moved,
          state: 'read',
          from: message.sender,
          ...(text === undefined ? {} : { text }),
        });
      }
    }
  }

  async #settle(signature: string, state: MessageState, receipt: ReceiptRecord): Promise<void> {
    const result = await this.#store.settle(signature, state, receipt);
    if (result.message !== undefined) {
      this.#events.emit('receipt', {
        message: result.message,
        state: result.message.state,
        from: receipt.from,
        ...(receipt.text === undefined ? {} : { text: receipt.text }),
      });
    }
  }
}
