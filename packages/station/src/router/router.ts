import { DimError, isDimError } from '@dimkit/protocol';
import type { Identity } from '@dimkit/protocol/account';
import { isHandshakeCommand, type Content, type HandshakeCommand } from '@dimkit/protocol/content';
import type { CryptoBackend } from '@dimkit/protocol/crypto';
import type { JsonObject } from '@dimkit/protocol/encoding';
import {
  CipherKeyCache,
  MAX_MESSAGE_BYTES,
  openMessage,
  parseReliableMessage,
  type ReliableMessage,
} from '@dimkit/protocol/dkd';
import { documentName, parseId, withoutTerminal, type ID } from '@dimkit/protocol/mkm';
import type { StationConfig } from '../config.js';
import type { StationLogger } from '../logger.js';
import { Presence, Session, handshakeOutcome, handshakeReply } from '../session/index.js';
import type { Store } from '../store/index.js';
import type { CloseReason, Connection, ConnectionHandler } from '../transport/index.js';
import { learnAttachments, type LearnDeps } from './attachments.js';
import type { CommandContext } from './command-context.js';
import { ContactCache, type KnownEntity } from './contacts.js';
import { Delivery, type DeliveryOutcome } from './delivery.js';
import type { RefusalReason, StationMetrics } from './metrics.js';
import { ReceiptText, createReceipt, stationReceiptOrigin } from './receipt.js';
import { destinationOf, type Destination } from './receiver.js';
import { sealReply } from './reply.js';
import { FlushScheduler, ReplyQueue, isReceiptContent, type PendingReply } from './reply-batch.js';
import { serveContent } from './serve.js';

export interface RouterOptions {
  /** The station's own identity: its ID, meta, visa and private keys. */
  readonly station: Identity;
  readonly store: Store;
  readonly metrics: StationMetrics;
  readonly log: StationLogger;
  readonly session: StationConfig['session'];
  readonly inbox: Pick<StationConfig['inbox'], 'drainWindow' | 'drainWindowBytes' | 'drainBatch' | 'liveWindow'>;
  /** The transport's `maxUnsentBytes`: drains keep their un-acknowledged bytes under half of it. */
  readonly maxUnsentBytes?: number;
  readonly ans: StationConfig['ans'];
  /** Crypto backend for the station's keys and the users' (pass `nodeBackend` on Node). */
  readonly backend?: CryptoBackend;
  /** Largest DIM message accepted, in bytes. Default MAX_MESSAGE_BYTES (4 MiB). */
  readonly maxMessageBytes?: number;
  /** Seconds since 1970; default the system clock. */
  readonly now?: () => number;
}

/** How often the station's message-key cache is replaced (it holds one entry per user it talked to). */
const KEY_CACHE_SECONDS = 3600;

const ANY_STATION = 'station@anywhere';
const EVERY_STATIONS = 'stations@everywhere';

interface Opened {
  readonly content: Content;
  readonly entity: KnownEntity;
}

/**
 * The station core (station spec §2, §3): the transport's `ConnectionHandler`. Each connection gets a
 * `Session`; each received payload is parsed once, then:
 *
 * - before the handshake, only handshakes to the station are processed; other messages are suspended (at most
 *   `maxSuspended`) and replayed after `DIM!`; a station-addressed message whose attachments, meta or signature
 *   do not check out closes the connection;
 * - after it, a `sender` other than the session's user is refused with a receipt; messages to the station (its
 *   ID, `station@anywhere`, `anyone@anywhere`) and the broadcasts `everyone@everywhere`/`stations@everywhere`
 *   are verified, decrypted and served; messages to users, bots and other stations are relayed as their
 *   original bytes (after the receiver's block list), with a delivery receipt; group receivers are refused.
 *
 * Replies go back on the connection the request came in, encrypted for its user.
 */
export class Router implements ConnectionHandler {
  readonly presence = new Presence();
  readonly contacts: ContactCache;
  readonly #station: Identity;
  readonly #store: Store;
  readonly #metrics: StationMetrics;
  readonly #log: StationLogger;
  readonly #limits: StationConfig['session'];
  readonly #ans: StationConfig['ans'];
  readonly #backend: CryptoBackend | undefined;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #delivery: Delivery;
  readonly #learn: LearnDeps;
  readonly #sessions = new Map<Connection, Session>();
  /** Receipts waiting for their pacing token or the end of the turn, per session (coalesced, reply-batch.ts). */
  readonly #receipts = new Map<Session, ReplyQueue>();
  /** Runs the receipt batches that fall due a few per turn, between the messages being relayed. */
  readonly #flushes = new FlushScheduler();
  #keyCache = new CipherKeyCache();
  #keyCacheSince: number;

  constructor(options: RouterOptions) {
    this.#station = options.station;
    this.#store = options.store;
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#limits = options.session;
    this.#ans = options.ans;
    this.#backend = options.backend;
    this.#maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.#now = options.now ?? (() => Date.now() / 1000);
    this.#keyCacheSince = this.#now();
    this.contacts = new ContactCache(options.store, { backend: options.backend });
    this.#delivery = new Delivery({
      store: options.store,
      presence: this.presence,
      metrics: options.metrics,
      log: options.log,
      drainWindow: options.inbox.drainWindow,
      drainWindowBytes: Math.min(
        options.inbox.drainWindowBytes,
        Math.floor((options.maxUnsentBytes ?? Number.MAX_SAFE_INTEGER) / 2),
      ),
      drainBatch: options.inbox.drainBatch,
      liveWindow: options.inbox.liveWindow,
    });
    this.#learn = { store: options.store, contacts: this.contacts, backend: options.backend, now: this.#now };
  }

  // ConnectionHandler

  onOpen(conn: Connection): void {
    const session = new Session(
      conn,
      this.#limits,
      (s, payload) => this.#process(s, payload),
      (error) => {
        this.#log.error({ err: error, conn: conn.id }, 'message processing failed');
        conn.close('internal.error');
      },
    );
    this.#sessions.set(conn, session);
    this.#metrics.sessions.handshaking.inc();
    session.startDeadline(this.#limits.handshakeTimeoutMs, () => {
      this.#count('handshake.timeout');
      conn.close('handshake.timeout');
    });
  }

  onPayload(conn: Connection, payload: Uint8Array): void {
    this.#sessions.get(conn)?.receive(payload);
  }

  onClose(conn: Connection, reason: CloseReason): void {
    const session = this.#sessions.get(conn);
    if (session === undefined) return;
    this.#sessions.delete(conn);
    session.close();
    this.#receipts.get(session)?.drop();
    this.#receipts.delete(session);
    if (session.userKey === undefined) {
      this.#metrics.sessions.handshaking.dec();
      return;
    }
    this.presence.remove(session);
    this.#metrics.sessions.authenticated.dec();
    this.#metrics.usersOnline.set(this.presence.users);
    this.#log.debug({ conn: conn.id, user: session.userKey, reason }, 'session closed');
  }

  /** Sends every receipt that waits for its pacing token now (before a shutdown closes the connections). */
  flushReceipts(): void {
    for (const queue of this.#receipts.values()) queue.flush();
  }

  /** Stops delivering inboxes and waits for deliveries, inbox writes and removals in progress. */
  close(): Promise<void> {
    return this.#delivery.close();
  }

  /** Resolves once the deliveries started so far have settled (tests). */
  idle(): Promise<void> {
    return this.#delivery.idle();
  }

  // Processing

  async #process(session: Session, payload: Uint8Array): Promise<void> {
    let message: ReliableMessage;
    let sender: ID;
    let receiver: ID;
    try {
      message = parseReliableMessage(payload, { maxBytes: this.#maxBytes });
      sender = parseId(message.sender);
      receiver = parseId(message.receiver);
      if (message.group !== undefined) parseId(message.group);
      if (sender.isBroadcast || sender.isGroup) {
        throw new DimError('message.sender', `sender ${sender.text} cannot sign messages`);
      }
    } catch (error) {
      if (!isDimError(error)) throw error;
      this.#refuse(session, error.code === 'message.size' ? 'message.size' : 'message.format');
      return;
    }
    const destination = destinationOf(receiver, this.#station.id, this.#ans);
    if (session.userKey === undefined) {
      await this.#beforeHandshake(session, payload, message, sender, destination);
      return;
    }
    if (withoutTerminal(sender).text !== session.userKey) {
      this.#refuse(session, 'session.sender');
      await this.#replyToUser(
        session,
        createReceipt(ReceiptText.SENDER_NOT_ALLOWED, message, {
          template: 'Sender ${sender} is not the user of this connection.',
          replacements: { sender: message.sender },
        }),
      );
      return;
    }
    switch (destination.kind) {
      case 'station':
      case 'broadcast':
        await this.#local(session, message, sender, destination);
        return;
      case 'deliver':
        await this.#relay(session, payload, message, destination);
        return;
      case 'group':
        this.#refuse(session, 'receiver.group');
        await this.#replyToUser(session, createReceipt(ReceiptText.GROUP_NOT_ALLOWED, message));
        return;
      case 'unknown':
        this.#refuse(session, 'receiver.unknown');
        await this.#replyToUser(
          session,
          createReceipt(ReceiptText.RECEIVER_NOT_FOUND, message, {
            template: 'Receiver ${receiver} is not known to this station.',
            replacements: { receiver: message.receiver },
          }),
        );
        return;
    }
  }

  /** station spec §2.2: before `DIM!` only handshakes count; everything else waits (bounded) or is refused. */
  async #beforeHandshake(
    session: Session,
    payload: Uint8Array,
    message: ReliableMessage,
    sender: ID,
    destination: Destination,
  ): Promise<void> {
    if (destination.kind === 'station') {
      const opened = await this.#open(session, message, sender);
      if (opened === undefined) return;
      if (isHandshakeCommand(opened.content)) {
        await this.#handshake(session, message, sender, opened.content, opened.entity);
        return;
      }
    }
    if (session.suspend(payload)) {
      this.#metrics.received.inc({ kind: 'suspended' });
    } else {
      this.#refuse(session, 'handshake.required');
    }
  }

  /**
   * Learns the attachments, finds the sender's keys, verifies and opens a message to the station. Refuses and
   * answers undefined when that fails: before the handshake by closing the connection (nothing it says can
   * be trusted), after it with a receipt.
   */
  async #open(session: Session, message: ReliableMessage, sender: ID): Promise<Opened | undefined> {
    const refuse = async (reason: RefusalReason) => {
      this.#refuse(session, reason);
      if (session.userKey === undefined) {
        session.conn.close('handshake.invalid');
        return undefined;
      }
      await this.#replyToUser(
        session,
        createReceipt(ReceiptText.MESSAGE_NOT_ACCEPTED, message, {
          template: 'Message not accepted: ${reason}.',
          replacements: { reason },
        }),
      );
      return undefined;
    };
    const learned = await learnAttachments(message, sender, this.#learn);
    if (!learned.ok) return refuse(learned.reason);
    const entity = await this.contacts.get(withoutTerminal(sender).text);
    if (entity === undefined) return refuse('meta.missing');
    try {
      const instant = openMessage(message, {
        me: this.#station.id.text,
        decryptKeys: this.#station.decryptKeys,
        verifyKeys: entity.verifyKeys,
        keyCache: this.#keys(),
        backend: this.#backend,
      });
      return { content: instant.content as Content, entity };
    } catch (error) {
      if (!isDimError(error)) throw error;
      return refuse(error.code === 'signature.invalid' ? 'signature.invalid' : 'content.format');
    }
  }

  async #handshake(
    session: Session,
    message: ReliableMessage,
    sender: ID,
    content: HandshakeCommand,
    entity: KnownEntity,
  ): Promise<void> {
    this.#metrics.received.inc({ kind: 'handshake' });
    const outcome = handshakeOutcome(session, sender, content);
    switch (outcome.kind) {
      case 'ignore':
        return;
      case 'wrong-user':
        this.#refuse(session, 'session.sender');
        await this.#replyToUser(
          session,
          createReceipt(ReceiptText.SENDER_NOT_ALLOWED, message, {
            template: 'Sender ${sender} is not the user of this connection.',
            replacements: { sender: message.sender },
            sn: content.sn,
          }),
        );
        return;
      case 'unsupported':
        this.#reply(
          session,
          message,
          entity,
          createReceipt(ReceiptText.COMMAND_NOT_SUPPORT, message, {
            template: 'Handshake command error: title="${title}".',
            replacements: { title: outcome.title },
            sn: content.sn,
          }),
        );
        return;
      case 'accepted':
        if (session.userKey === undefined) {
          session.bind(sender);
          this.presence.add(session);
          this.#metrics.sessions.handshaking.dec();
          this.#metrics.sessions.authenticated.inc();
          this.#metrics.usersOnline.set(this.presence.users);
          this.#metrics.handshakeSeconds.observe((performance.now() - session.openedAt) / 1000);
          this.#log.debug(
            { conn: session.conn.id, transport: session.conn.transport, user: session.userKey },
            'handshake accepted',
          );
          this.#reply(session, message, entity, handshakeReply(session, outcome)!);
          // station spec §2.2 step 5: re-process what was suspended, then deliver what waited offline.
          for (const suspended of session.takeSuspended()) await this.#process(session, suspended);
          this.#delivery.online(session.userKey!);
          return;
        }
        this.#reply(session, message, entity, handshakeReply(session, outcome)!);
        return;
      case 'again':
      case 'hi':
        this.#reply(session, message, entity, handshakeReply(session, outcome)!);
        return;
    }
  }

  async #local(
    session: Session,
    message: ReliableMessage,
    sender: ID,
    destination: Destination & { kind: 'station' | 'broadcast' },
  ): Promise<void> {
    const opened = await this.#open(session, message, sender);
    if (opened === undefined) return;
    const { content, entity } = opened;
    if (isHandshakeCommand(content)) {
      await this.#handshake(session, message, sender, content, entity);
      return;
    }
    this.#metrics.received.inc({ kind: destination.kind });
    const user = session.userKey!;
    const ctx: CommandContext = {
      ...this.#learn,
      station: this.#station,
      ans: this.#ans,
      sender,
      senderKey: user,
      message,
      online: (time) => {
        session.setActive(true, time);
        if (session.active) this.#delivery.online(user);
      },
      offline: (time) => {
        session.setActive(false, time);
      },
      refused: (reason) => this.#count(reason),
    };
    const addressed = message.receiver === this.#station.id.text || message.receiver === ANY_STATION;
    const responses = await serveContent(ctx, content, { addressed });
    for (const response of responses) this.#reply(session, message, entity, response);
  }

  async #relay(
    session: Session,
    payload: Uint8Array,
    message: ReliableMessage,
    destination: Destination & { kind: 'deliver' },
  ): Promise<void> {
    this.#metrics.received.inc({ kind: 'relay' });
    const blocked = await this.#blockedText(destination, session.userKey!, message.group);
    if (blocked !== undefined) {
      this.#count('blocked');
      await this.#replyToUser(
        session,
        createReceipt(blocked, message, message.group === undefined ? {} : { group: message.group }),
      );
      return;
    }
    const { accepted, outcome } = this.#delivery.deliver(destination.key, {
      signature: message.signature,
      time: message.time,
      payload,
    });
    // The sender is throttled on what the station has still to take on (inbox writes), never on the
    // receiver's acknowledgements: waiting on a peer could deadlock two connections paused on each other.
    if (accepted !== undefined) session.track(accepted);
    // Only what the receipt quotes is kept while the receiver has not acknowledged, not the whole message.
    const quoted = stationReceiptOrigin(message);
    void outcome.then((result) => this.#deliveryReceipt(session, quoted, destination, result));
  }

  /** station spec §3 step 1: the receiver's block list names the sender (or, for a group message, the group). */
  async #blockedText(destination: Destination & { kind: 'deliver' }, sender: string, group: string | undefined) {
    const lists = this.#store.lists;
    const hit =
      group === undefined
        ? await lists.has(destination.key, 'block', sender)
        : await lists.has(destination.key, 'block', withoutTerminal(parseId(group)).text);
    if (!hit) return undefined;
    const name = await this.#nameOf(destination.key, destination.id);
    if (group === undefined) return `Message is blocked by "${name}"`;
    const groupId = parseId(group);
    return `Message is blocked by "${name}" in group "${await this.#nameOf(withoutTerminal(groupId).text, groupId)}"`;
  }

  async #nameOf(key: string, id: ID): Promise<string> {
    const document = (await this.contacts.get(key))?.document;
    return (document === undefined ? undefined : documentName(document)) ?? id.name ?? id.text;
  }

  #deliveryReceipt(
    session: Session,
    message: JsonObject,
    destination: Destination & { kind: 'deliver' },
    outcome: DeliveryOutcome,
  ): void {
    let receipt: Content;
    switch (outcome) {
      case 'delivered':
        receipt = createReceipt(ReceiptText.DELIVERED, message, { fields: { recipient: destination.id.text } });
        break;
      case 'cached':
        receipt = createReceipt(ReceiptText.CACHED, message);
        break;
      case 'quota':
      case 'failed':
        this.#count(outcome === 'quota' ? 'inbox.quota' : 'store.failure');
        receipt = createReceipt(ReceiptText.MESSAGE_NOT_CACHED, message, {
          template:
            outcome === 'quota'
              ? 'The inbox of ${receiver} is full.'
              : 'The station could not keep the message for ${receiver}.',
          replacements: { receiver: destination.id.text },
        });
        break;
    }
    const failed = (error: unknown) => {
      this.#log.error({ err: error, conn: session.conn.id }, 'delivery receipt failed');
    };
    try {
      // The user's keys are almost always cached (it is online): then no promise is made for the reply.
      if (this.#replyToUserKnown(session, receipt)) return;
    } catch (error) {
      failed(error);
      return;
    }
    this.#replyToUser(session, receipt).catch(failed);
  }

  // Replies

  /** Replies to the session's user (after the handshake). */
  async #replyToUser(session: Session, content: Content): Promise<void> {
    if (this.#replyToUserKnown(session, content)) return;
    const entity = await this.contacts.get(session.userKey!);
    if (entity === undefined) {
      this.#count('reply.failed');
      return;
    }
    this.#send(session, session.user!.text, entity, content, false);
  }

  /** `#replyToUser` when there is nothing to wait for (no user, or its keys cached); false otherwise. */
  #replyToUserKnown(session: Session, content: Content): boolean {
    const user = session.user;
    if (user === undefined || session.closed) return true;
    const entity = this.contacts.cached(session.userKey!);
    if (entity === undefined) return false;
    this.#send(session, user.text, entity, content, false);
    return true;
  }

  /** Replies to the sender of `message` (verified, maybe not yet the session's user). */
  #reply(session: Session, message: ReliableMessage, entity: KnownEntity, content: Content): void {
    // station spec §2.2 step 3: the first reply to a client that wrote to `station@anywhere` carries the
    // station's meta and visa, so it can verify the station and learn its ID.
    const introduce = !session.introduced && (message.receiver === ANY_STATION || message.group === EVERY_STATIONS);
    this.#send(session, message.sender, entity, content, introduce);
  }

  #send(session: Session, receiver: string, entity: KnownEntity, content: Content, introduce: boolean): void {
    if (session.closed) return;
    if (entity.encryptKey === undefined) {
      this.#count('reply.failed');
      return;
    }
    const text = content['text'];
    if (isReceiptContent(content) && typeof text === 'string') {
      this.#metrics.receipts.inc({ text: text.startsWith('Message is blocked') ? 'Message is blocked' : text });
    }
    const queue = this.#receipts.get(session);
    const reply: PendingReply = { receiver, receiverKey: entity.encryptKey, content };
    // Receipts wait for the end of the turn so several can share one signature (an array content, wire spec
    // §5); anything else first sends what waits, so replies keep their order.
    if (isReceiptContent(content) && !introduce) {
      if (queue !== undefined) queue.push(reply);
      else {
        const created = new ReplyQueue(
          (r) => {
            // Runs from a timer: a failure is logged and counted, never thrown there.
            try {
              this.#sealAndSend(session, r, false);
            } catch (error) {
              this.#log.error({ err: error, conn: session.conn.id }, 'reply failed');
              this.#count('reply.failed');
            }
          },
          {
            pacing: { intervalMs: this.#limits.receiptIntervalMs, burst: this.#limits.receiptBurst },
            scheduler: this.#flushes,
          },
        );
        this.#receipts.set(session, created);
        created.push(reply);
      }
      return;
    }
    queue?.flush();
    this.#sealAndSend(session, reply, introduce);
  }

  #sealAndSend(session: Session, reply: PendingReply, introduce: boolean): void {
    if (session.closed) return;
    const bytes = sealReply(this.#station, reply.receiver, reply.receiverKey, reply.content, {
      keyCache: this.#keys(),
      backend: this.#backend,
      introduce,
      now: this.#now(),
    });
    if (introduce) session.introduced = true;
    this.#metrics.sent.inc({ kind: 'reply' });
    void session.conn.send(bytes);
  }

  #keys(): CipherKeyCache {
    const now = this.#now();
    if (now - this.#keyCacheSince > KEY_CACHE_SECONDS) {
      this.#keyCache = new CipherKeyCache();
      this.#keyCacheSince = now;
    }
    return this.#keyCache;
  }

  // Refusals

  #count(reason: RefusalReason): void {
    this.#metrics.refusals.inc({ reason });
  }

  /** Counts a refused message against the session; a session past `maxRefusals` is closed. */
  #refuse(session: Session, reason: RefusalReason): void {
    this.#count(reason);
    this.#log.debug({ conn: session.conn.id, user: session.userKey, reason }, 'message refused');
    if (session.refuse()) session.conn.close('refused.too_many');
  }
}
