// A small DIM client for tests and benchmarks: speaks DIMP over WebSocket or MTP to a station, using the
// protocol library for everything DIM. It behaves like the reference clients where it matters to a station
// (station spec §1.3, §1.4, §1.7, §2.2): it acknowledges every payload it receives (WebSocket `ACK:`, MTP
// Message-Response) unless told not to, and it handshakes through `station@anywhere` with meta and visa attached.
import { connect as connectTcp, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { nodeBackend } from '@dimkit/crypto-node';
import { contactEncryptionKey, contactVerifyKeys, type Contact, type Identity } from '@dimkit/protocol/account';
import {
  createHandshakeCommand,
  HandshakeTitle,
  isArrayContent,
  isHandshakeCommand,
  type Content,
  type HandshakeCommand,
} from '@dimkit/protocol/content';
import {
  CipherKeyCache,
  openMessage,
  parseReliableMessage,
  sealMessage,
  senderAttachments,
  serializeMessage,
  type InstantMessage,
  type ReliableMessage,
} from '@dimkit/protocol/dkd';
import { parseSymmetricKey } from '@dimkit/protocol/crypto';
import { decodeBase64, decodeUtf8, type JsonObject } from '@dimkit/protocol/encoding';
import { isBroadcastMessage } from '@dimkit/protocol/dkd';
import { documentToDict, metaToDict, parseId } from '@dimkit/protocol/mkm';
import { MTP, MtpDecoder, encodeMtp } from './mtp.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type ClientTransport = 'ws' | 'mtp';

export interface ClientOptions {
  readonly port: number;
  readonly host?: string;
  readonly transport?: ClientTransport;
  /** The user this client speaks for (private keys included). */
  readonly identity: Identity;
  /** Acknowledge received payloads as reference clients do (default true). */
  readonly ack?: boolean;
  /** Local address to connect from (e.g. 127.0.0.2, for per-IP limits in benchmarks). */
  readonly localAddress?: string;
}

/** A DIM message as received: the exact bytes, and the parsed reliable message. */
export interface Incoming {
  readonly raw: Uint8Array;
  readonly text: string;
  readonly message: ReliableMessage;
}

/** An incoming message opened with the client's keys. */
export interface Opened extends Incoming {
  readonly instant: InstantMessage;
  readonly content: Content;
}

interface Waiter {
  readonly accept: (incoming: Incoming) => boolean;
  readonly resolve: (incoming: Incoming) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** The handshake's result: the station as learned from its first reply, and the session key. */
export interface HandshakeResult {
  readonly station: Contact;
  readonly session: string;
  /** The station's `DIM?` and `DIM!` replies. */
  readonly again: Opened;
  readonly success: Opened;
}

export class DimTestClient {
  readonly identity: Identity;
  readonly transport: ClientTransport;
  /** Contacts by ID: their keys verify their messages and encrypt ours to them. */
  readonly contacts = new Map<string, Contact>();
  /** Non-DIM payloads received (`PONG`, …), as text. */
  readonly control: string[] = [];
  /** DIM messages received and not yet taken by `next`. */
  readonly inbox: Incoming[] = [];
  station: Contact | undefined;
  ackEnabled: boolean;

  readonly #ws: WebSocket | undefined;
  readonly #socket: Socket | undefined;
  readonly #mtp = new MtpDecoder();
  readonly #keyCache = new CipherKeyCache();
  readonly #waiters: Waiter[] = [];
  /** Entries of station array contents (coalesced receipts) opened and not yet taken by `nextFromStation`. */
  readonly #unpacked: Opened[] = [];
  #sn = randomBytes(8).readBigUInt64BE();
  #closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(options: ClientOptions, ws: WebSocket | undefined, socket: Socket | undefined) {
    this.identity = options.identity;
    this.transport = options.transport ?? 'ws';
    this.ackEnabled = options.ack ?? true;
    this.#ws = ws;
    this.#socket = socket;
    this.closedPromise = new Promise<void>((resolve) => {
      const done = () => {
        this.#closed = true;
        for (const waiter of this.#waiters.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.reject(new Error('connection closed'));
        }
        resolve();
      };
      if (ws !== undefined) {
        ws.on('message', (data: Buffer) => this.#onPayload(new Uint8Array(data)));
        ws.on('close', done);
        ws.on('error', () => {});
      } else {
        socket!.on('data', (chunk: Buffer) => this.#onMtp(new Uint8Array(chunk)));
        socket!.on('close', done);
        socket!.on('error', () => {});
      }
    });
  }

  /** Connects (no handshake yet). */
  static async connect(options: ClientOptions): Promise<DimTestClient> {
    const host = options.host ?? '127.0.0.1';
    if ((options.transport ?? 'ws') === 'ws') {
      const ws = new WebSocket(`ws://${host}:${options.port}/`, {
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
        perMessageDeflate: false,
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      return new DimTestClient(options, ws, undefined);
    }
    const socket = connectTcp({
      host,
      port: options.port,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new DimTestClient(options, undefined, socket);
  }

  /** Connects and handshakes. */
  static async login(options: ClientOptions): Promise<DimTestClient> {
    const client = await DimTestClient.connect(options);
    await client.handshake();
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get me(): string {
    return this.identity.id.text;
  }

  addContact(contact: Contact): void {
    this.contacts.set(contact.id.text, contact);
  }

  // Sending

  /**
   * Sends one frame (WebSocket message / MTP Message) holding exactly `payload`. On WebSocket a string goes
   * as a text frame, bytes as a binary frame (what browsers send for the Uint8Array the web client passes).
   */
  sendRaw(payload: Uint8Array | string): void {
    const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
    if (this.#ws !== undefined) {
      this.#ws.send(bytes, { binary: typeof payload !== 'string' });
    } else {
      this.#socket!.write(encodeMtp(MTP.MESSAGE, this.#nextSn(), bytes));
    }
  }

  /** Sends an MTP Command (heartbeat) — MTP only. */
  sendMtpCommand(body: string): void {
    this.#socket!.write(encodeMtp(MTP.COMMAND, this.#nextSn(), encoder.encode(body)));
  }

  /** Serializes and sends a message; returns the exact bytes sent. */
  send(message: ReliableMessage | JsonObject): Uint8Array {
    const text = serializeMessage(message as JsonObject);
    this.sendRaw(text);
    return encoder.encode(text);
  }

  /**
   * Encrypts (or, for broadcast receivers, signs only) `content` for `receiver`. `attach` adds the client's
   * meta and visa; `extra` adds envelope fields. The receiver's key comes from `contacts` (or `station`).
   */
  seal(
    receiver: string,
    content: Content,
    options: { attach?: boolean; extra?: JsonObject; group?: string; signer?: Identity } = {},
  ): ReliableMessage {
    const signer = options.signer ?? this.identity;
    const instant: JsonObject = {
      sender: signer.id.text,
      receiver,
      time: Date.now() / 1000,
      ...(options.group === undefined ? {} : { group: options.group }),
      ...options.extra,
      content: content as JsonObject,
    };
    if (options.attach === true) {
      instant['meta'] = metaToDict(signer.meta);
      if (signer.visa !== undefined) instant['visa'] = documentToDict(signer.visa);
    }
    const id = parseId(receiver);
    let receiverKey;
    if (!id.isBroadcast && !(options.group !== undefined && parseId(options.group).isBroadcast)) {
      const contact = this.contacts.get(receiver) ?? (this.station?.id.text === receiver ? this.station : undefined);
      if (contact === undefined) throw new Error(`no contact for ${receiver}`);
      receiverKey = contactEncryptionKey(contact, nodeBackend);
    }
    return sealMessage(instant as InstantMessage, {
      signer: signer.privateKey,
      ...(receiverKey === undefined ? {} : { receiverKey }),
      keyCache: this.#keyCache,
      backend: nodeBackend,
    });
  }

  /** Seals and sends; returns the message and its exact bytes. */
  sendContent(
    receiver: string,
    content: Content,
    options: { attach?: boolean; extra?: JsonObject; group?: string } = {},
  ): { message: ReliableMessage; bytes: Uint8Array } {
    const message = this.seal(receiver, content, options);
    return { message, bytes: this.send(message) };
  }

  /** Sends `content` to the station (its ID after the handshake, else `station@anywhere`). */
  sendToStation(content: Content, options: { attach?: boolean } = {}): { message: ReliableMessage; bytes: Uint8Array } {
    return this.sendContent(this.station?.id.text ?? 'station@anywhere', content, options);
  }

  // Receiving

  /** The next DIM message accepted by `filter` (earlier ones stay queued), or a rejection after `timeoutMs`. */
  next(filter: (incoming: Incoming) => boolean = () => true, timeoutMs = 10_000): Promise<Incoming> {
    const i = this.inbox.findIndex(filter);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    if (this.#closed) return Promise.reject(new Error('connection closed'));
    return new Promise<Incoming>((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(new Error(`no matching message within ${timeoutMs} ms (${this.inbox.length} others queued)`));
      }, timeoutMs);
      const waiter: Waiter = { accept: filter, resolve, reject, timer };
      this.#waiters.push(waiter);
    });
  }

  /** The next message from `sender`, opened. */
  async nextFrom(sender: string, timeoutMs?: number): Promise<Opened> {
    return this.open(await this.next((m) => m.message.sender === sender, timeoutMs));
  }

  /** The next message from the station whose content passes `filter`, opened (others stay queued). */
  async nextFromStation(filter: (content: Content) => boolean = () => true, timeoutMs = 10_000): Promise<Opened> {
    const deadline = Date.now() + timeoutMs;
    const skipped: Incoming[] = [];
    // The station may coalesce receipts into one array content (wire spec §5): each entry counts as a message,
    // as a reference client's ArrayContentProcessor takes them.
    const take = (): Opened | undefined => {
      const at = this.#unpacked.findIndex((o) => filter(o.content));
      return at < 0 ? undefined : this.#unpacked.splice(at, 1)[0];
    };
    try {
      for (;;) {
        const found = take();
        if (found !== undefined) return found;
        const incoming = await this.next(
          (m) =>
            !skipped.includes(m) &&
            (this.station === undefined ? m.message.meta !== undefined : m.message.sender === this.station.id.text),
          Math.max(1, deadline - Date.now()),
        );
        const opened = this.open(incoming);
        if (isArrayContent(opened.content)) {
          for (const content of opened.content.contents) this.#unpacked.push({ ...opened, content });
          continue;
        }
        if (filter(opened.content)) return opened;
        skipped.push(incoming);
      }
    } finally {
      this.inbox.unshift(...skipped);
    }
  }

  /** The next receipt from the station with `text`. */
  nextReceipt(text: string, timeoutMs?: number): Promise<Opened> {
    return this.nextFromStation((c) => c['command'] === 'receipt' && c['text'] === text, timeoutMs);
  }

  /** Verifies and decrypts a received message (learning the sender from attached meta and visa). */
  open(incoming: Incoming): Opened {
    const message = incoming.message;
    let contact =
      this.contacts.get(message.sender) ?? (this.station?.id.text === message.sender ? this.station : undefined);
    if (message.meta !== undefined) {
      const attached = senderAttachments(message, contact?.meta, nodeBackend);
      if (attached.meta !== undefined) {
        contact = { id: parseId(message.sender), meta: attached.meta, visa: attached.visa ?? contact?.visa };
      }
    }
    if (contact === undefined) throw new Error(`no contact for sender ${message.sender}`);
    const instant = openMessage(message, {
      me: this.me,
      decryptKeys: this.identity.decryptKeys,
      verifyKeys: contactVerifyKeys(contact, nodeBackend),
      keyCache: this.#keyCache,
      backend: nodeBackend,
    });
    return { ...incoming, instant, content: instant.content as Content };
  }

  /**
   * The content exactly as the sender wrote it (decrypted, NOT put through the compat read filter): to check
   * the wire shape a reference client would see (`cmd`, `message`, `envelope`, `ID`, …). Does not verify.
   */
  wireContent(incoming: Incoming): JsonObject {
    const message = incoming.message;
    if (isBroadcastMessage(message.receiver, message.group)) return JSON.parse(message.data) as JsonObject;
    const wrapped = message.key ?? message.keys?.[this.me];
    if (wrapped === undefined) throw new Error('no message key for me');
    let keyDict: JsonObject | undefined;
    for (const privateKey of this.identity.decryptKeys) {
      try {
        keyDict = JSON.parse(decodeUtf8(privateKey.decrypt!(decodeBase64(wrapped)))) as JsonObject;
        break;
      } catch {
        // try the next key
      }
    }
    if (keyDict === undefined) throw new Error('cannot unwrap the message key');
    const key = parseSymmetricKey(keyDict, nodeBackend);
    const iv = message.IV === undefined ? undefined : decodeBase64(message.IV);
    return JSON.parse(decodeUtf8(key.decrypt(decodeBase64(message.data), iv))) as JsonObject;
  }

  // Handshake

  /**
   * station spec §2.2: `Hello world!` to `station@anywhere` (plain, meta and visa attached) → `DIM?` with the
   * session key (the station's meta and visa attached) → `Hello world!` with the key to the station's ID → `DIM!`.
   */
  async handshake(timeoutMs = 10_000): Promise<HandshakeResult> {
    const hello = createHandshakeCommand({ title: HandshakeTitle.HELLO }, { group: 'stations@everywhere' });
    this.send(this.seal('station@anywhere', hello, { attach: true }));
    const again = await this.#nextHandshake(timeoutMs);
    const content = again.content as HandshakeCommand;
    if (content.title !== HandshakeTitle.AGAIN || typeof content.session !== 'string') {
      throw new Error(`expected DIM? with a session, got ${content.title}`);
    }
    const attached = senderAttachments(again.message, undefined, nodeBackend);
    if (attached.meta === undefined) throw new Error('the first reply carries no station meta');
    const station: Contact = { id: parseId(again.message.sender), meta: attached.meta, visa: attached.visa };
    this.station = station;
    this.addContact(station);
    const answer = createHandshakeCommand({ title: HandshakeTitle.HELLO, session: content.session });
    this.send(this.seal(station.id.text, answer));
    const success = await this.#nextHandshake(timeoutMs);
    if ((success.content as HandshakeCommand).title !== HandshakeTitle.SUCCESS) {
      throw new Error(`expected DIM!, got ${(success.content as HandshakeCommand).title}`);
    }
    return { station, session: content.session, again, success };
  }

  async #nextHandshake(timeoutMs: number): Promise<Opened> {
    return this.nextFromStation((c) => isHandshakeCommand(c), timeoutMs);
  }

  // Lifetime

  /** Closes gracefully and waits. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#ws !== undefined) this.#ws.close();
    else this.#socket!.end();
    await this.closedPromise;
  }

  /** Drops the TCP connection without a goodbye. */
  destroy(): void {
    if (this.#ws !== undefined) this.#ws.terminate();
    else this.#socket!.destroy();
  }

  /** The underlying socket (to pause reading in slow-reader tests). */
  get socket(): Socket {
    return this.#socket ?? (this.#ws as unknown as { _socket: Socket })._socket;
  }

  #nextSn(): bigint {
    this.#sn = (this.#sn + 1n) & ((1n << 64n) - 1n);
    return this.#sn;
  }

  #onMtp(chunk: Uint8Array): void {
    for (const pkg of this.#mtp.push(chunk)) {
      if (pkg.type === MTP.MESSAGE) {
        if (this.ackEnabled) this.#socket!.write(encodeMtp(MTP.MESSAGE_RESPONSE, pkg.sn ?? 0n, encoder.encode('OK')));
        this.#onPayload(pkg.body, false);
      } else if (pkg.type === MTP.COMMAND_RESPONSE) {
        this.control.push(decoder.decode(pkg.body));
      }
    }
  }

  #onPayload(payload: Uint8Array, ack = true): void {
    const text = decoder.decode(payload);
    if (!text.startsWith('{')) {
      this.control.push(text);
      return;
    }
    let message: ReliableMessage;
    try {
      message = parseReliableMessage(payload);
    } catch {
      this.control.push(text);
      return;
    }
    // station spec §1.7: web clients answer every JSON payload that has a signature and a time.
    if (ack && this.ackEnabled && this.#ws !== undefined) {
      this.#ws.send(`ACK:${JSON.stringify({ time: message.time, signature: message.signature })}`);
    }
    const incoming: Incoming = { raw: payload, text, message };
    const i = this.#waiters.findIndex((w) => w.accept(incoming));
    if (i >= 0) {
      const [waiter] = this.#waiters.splice(i, 1);
      clearTimeout(waiter!.timer);
      waiter!.resolve(incoming);
    } else {
      this.inbox.push(incoming);
    }
  }
}
