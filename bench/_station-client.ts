// A lean DIM client for the station benchmark's load generator: many WebSocket connections per process,
// each handshaken as a real user (station spec §2.2). It does what a reference web client does on the wire —
// `Hello world!` to `station@anywhere` with meta and visa, the `DIM?` session key sent back, an `ACK:` for every
// JSON payload it receives (§1.7) — and nothing a benchmark does not need (test/helpers/dim-client.ts is the
// full test client; the runner cannot import it, and its per-message bookkeeping would load the generator).
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
import { documentToDict, metaToDict, parseId } from '@dimkit/protocol/mkm';
import WebSocket from 'ws';

/** A user of the load generator: its identity, its `Hello world!` sealed once, its message keys. */
export interface BenchUser {
  readonly identity: Identity;
  /** The first handshake message (plain, signed, meta and visa attached): the same for every connection. */
  readonly hello: Buffer;
  /** Message keys of this user's directions: one RSA unwrap per station key, not one per connection. */
  readonly keyCache: CipherKeyCache;
}

export function benchUser(identity: Identity): BenchUser {
  const keyCache = new CipherKeyCache();
  const instant = {
    sender: identity.id.text,
    receiver: 'station@anywhere',
    time: Date.now() / 1000,
    meta: metaToDict(identity.meta),
    ...(identity.visa === undefined ? {} : { visa: documentToDict(identity.visa) }),
    content: createHandshakeCommand({ title: HandshakeTitle.HELLO }, { group: 'stations@everywhere' }),
  } as unknown as InstantMessage;
  const hello = sealMessage(instant, { signer: identity.privateKey, keyCache, backend: nodeBackend });
  return { identity, hello: Buffer.from(serializeMessage(hello)), keyCache };
}

/** What the benchmark learns of the station from its first reply (shared by all connections). */
let knownStation: Contact | undefined;

function stationOf(message: ReliableMessage): Contact {
  if (knownStation !== undefined && knownStation.id.text === message.sender) return knownStation;
  const attached = senderAttachments(message, undefined, nodeBackend);
  if (attached.meta === undefined) throw new Error('the first station reply carries no meta');
  knownStation = { id: parseId(message.sender), meta: attached.meta, visa: attached.visa };
  return knownStation;
}

/** `ACK:{"time":…,"signature":"…"}` for a received payload, found by a naive scan as web clients do (§1.7). */
export function ackFor(data: Buffer): Buffer | undefined {
  const sig = signatureOf(data);
  if (sig === undefined) return undefined;
  const t = data.indexOf('"time":');
  if (t < 0) return undefined;
  let end = t + 7;
  while (end < data.length && data[end] !== 0x2c && data[end] !== 0x7d) end++;
  return Buffer.from(`ACK:{"time":${data.toString('latin1', t + 7, end)},"signature":"${sig}"}`);
}

/** The first `"signature":"…"` value of a payload (what a naive scan finds). */
export function signatureOf(data: Buffer): string | undefined {
  const at = data.indexOf('"signature":"');
  if (at < 0) return undefined;
  const start = at + 13;
  const end = data.indexOf(0x22, start);
  return end < 0 ? undefined : data.toString('latin1', start, end);
}

/** The `sender` of a payload, by a naive scan (envelope fields come before anything nested). */
export function senderOf(data: Buffer): string | undefined {
  const at = data.indexOf('"sender":"');
  if (at < 0) return undefined;
  const end = data.indexOf(0x22, at + 10);
  return end < 0 ? undefined : data.toString('latin1', at + 10, end);
}

export interface ConnectOptions {
  readonly port: number;
  readonly localAddress?: string;
  readonly timeoutMs?: number;
  /** Set before the first byte arrives, so nothing sent right after `DIM!` can be missed. */
  readonly onPayload?: (data: Buffer) => void;
}

/** One handshaken WebSocket connection. After `open`, `onPayload` sees every payload; ACKs are sent first. */
export class BenchConnection {
  readonly user: BenchUser;
  readonly ws: WebSocket;
  station: Contact | undefined;
  /** Called for every received payload after the handshake (the ACK has been sent already). */
  onPayload: (data: Buffer) => void = () => {};
  ack = true;
  #waiting: ((data: Buffer) => boolean) | undefined;

  private constructor(user: BenchUser, ws: WebSocket, onPayload: ((data: Buffer) => void) | undefined) {
    this.user = user;
    this.ws = ws;
    if (onPayload !== undefined) this.onPayload = onPayload;
    ws.on('message', (data: Buffer) => {
      if (this.ack && data[0] === 0x7b) {
        const ack = ackFor(data);
        if (ack !== undefined) ws.send(ack, { binary: false });
      }
      // During the handshake only the station's handshake replies are taken; anything else goes on.
      const waiting = this.#waiting;
      if (waiting === undefined || !waiting(data)) this.onPayload(data);
    });
    ws.on('error', () => {});
  }

  /** Connects and handshakes (`Hello world!` → `DIM?` → `Hello world!` with the session key → `DIM!`). */
  static async open(user: BenchUser, options: ConnectOptions): Promise<BenchConnection> {
    const ws = new WebSocket(`ws://127.0.0.1:${options.port}/`, {
      perMessageDeflate: false,
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const conn = new BenchConnection(user, ws, options.onPayload);
    try {
      await conn.#handshake(options.timeoutMs ?? 60_000);
    } catch (error) {
      ws.terminate();
      throw error;
    }
    return conn;
  }

  async #handshake(timeoutMs: number): Promise<void> {
    const me = this.user.identity;
    this.ws.send(this.user.hello, { binary: false });
    const again = await this.#nextHandshake(timeoutMs);
    if (again.title !== HandshakeTitle.AGAIN || typeof again.session !== 'string') {
      throw new Error(`expected DIM?, got ${again.title}`);
    }
    const station = this.station!;
    const answer = sealMessage(
      {
        sender: me.id.text,
        receiver: station.id.text,
        time: Date.now() / 1000,
        content: createHandshakeCommand({ title: HandshakeTitle.HELLO, session: again.session }),
      } as unknown as InstantMessage,
      {
        signer: me.privateKey,
        receiverKey: contactEncryptionKey(station, nodeBackend),
        keyCache: this.user.keyCache,
        backend: nodeBackend,
      },
    );
    this.ws.send(serializeMessage(answer), { binary: false });
    const success = await this.#nextHandshake(timeoutMs);
    if (success.title !== HandshakeTitle.SUCCESS) throw new Error(`expected DIM!, got ${success.title}`);
  }

  /** The next handshake command from the station (anything else before it is ignored). */
  #nextHandshake(timeoutMs: number): Promise<HandshakeCommand> {
    return new Promise<HandshakeCommand>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = undefined;
        reject(new Error('handshake timed out'));
      }, timeoutMs);
      const done = (error: Error | undefined, command?: HandshakeCommand) => {
        clearTimeout(timer);
        this.#waiting = undefined;
        this.ws.off('close', closed);
        if (error === undefined) resolve(command!);
        else reject(error);
      };
      const closed = () => done(new Error('connection closed during the handshake'));
      this.ws.once('close', closed);
      this.#waiting = (data) => {
        try {
          const message = parseReliableMessage(new Uint8Array(data.buffer, data.byteOffset, data.length));
          const station = (this.station ??= stationOf(message));
          if (message.sender !== station.id.text) return false;
          const instant = openMessage(message, {
            me: this.user.identity.id.text,
            decryptKeys: this.user.identity.decryptKeys,
            verifyKeys: contactVerifyKeys(station, nodeBackend),
            keyCache: this.user.keyCache,
            backend: nodeBackend,
          });
          const content = instant.content as Content;
          if (!isHandshakeCommand(content)) return false;
          done(undefined, content);
        } catch (error) {
          done(error as Error);
        }
        return true;
      };
    });
  }

  /**
   * How many contents a station payload carries: a dimkit station coalesces the receipts of one turn into one
   * array content (wire spec §5), so the payload is opened (one AES decryption, one signature check).
   */
  contentsIn(data: Buffer): number {
    const message = parseReliableMessage(new Uint8Array(data.buffer, data.byteOffset, data.length));
    const station = this.station!;
    const instant = openMessage(message, {
      me: this.user.identity.id.text,
      decryptKeys: this.user.identity.decryptKeys,
      verifyKeys: contactVerifyKeys(station, nodeBackend),
      keyCache: this.user.keyCache,
      backend: nodeBackend,
    });
    const content = instant.content as Content;
    return isArrayContent(content) ? content.contents.length : 1;
  }

  close(): void {
    this.ws.terminate();
  }
}
