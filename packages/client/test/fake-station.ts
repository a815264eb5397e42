// An in-memory station for messenger tests: the handshake of station spec §2.2, meta/documents
// queries, routing with `Message delivered.` / `Message cached.` receipts (§3.5), and an inbox that
// keeps a message until the client acknowledges it. Test knobs let it misbehave on purpose.
import { nodeBackend } from '@dimkit/crypto-node';
import {
  contactEncryptionKey,
  contactVerifyKeys,
  createIdentity,
  type Contact,
  type Identity,
} from '@dimkit/protocol/account';
import {
  createDocumentsCommand,
  createHandshakeCommand,
  createMetaCommand,
  createArrayContent,
  createReceiptCommand,
  HandshakeTitle,
  isDocumentsCommand,
  isHandshakeCommand,
  isMetaCommand,
  receiptOrigin,
  type Content,
} from '@dimkit/protocol/content';
import {
  openMessage,
  parseReliableMessage,
  sealMessage,
  senderAttachments,
  serializeMessage,
  type InstantMessage,
  type ReliableMessage,
} from '@dimkit/protocol/dkd';
import type { JsonObject } from '@dimkit/protocol/encoding';
import {
  documentToDict,
  metaToDict,
  parseId,
  verifyDocument,
  parseDocument,
  newerDocument,
} from '@dimkit/protocol/mkm';
import type { Transport, TransportConnection, TransportHandlers } from '../src/core/index.js';

const backend = nodeBackend;

export interface FakeStationOptions {
  /** Refuse connections (the station is down). */
  down?: boolean;
}

export class FakeLink implements TransportConnection {
  readonly station: FakeStation;
  readonly handlers: TransportHandlers;
  readonly sessionKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex');
  user: string | undefined;
  introduced = false;
  closed = false;
  pings = 0;
  readonly acks: string[] = [];
  /** Inbox entries (receiver, payload) waiting for this link's ACK, by signature. */
  readonly unacked = new Map<string, string>();

  constructor(station: FakeStation, handlers: TransportHandlers) {
    this.station = station;
    this.handlers = handlers;
  }

  send(payload: string): boolean {
    if (this.closed) return false;
    queueMicrotask(() => {
      if (!this.closed) this.station.receive(this, payload);
    });
    return true;
  }

  ping(): void {
    if (this.closed) return;
    this.pings++;
    if (this.station.answerPings) queueMicrotask(() => !this.closed && this.handlers.onHeartbeat());
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.station.links.delete(this);
    queueMicrotask(() => this.handlers.onClose(reason));
  }

  /** Station → client: one payload; the client's ack removes it from the inbox. */
  push(payload: string, signature?: string): void {
    if (this.closed) return;
    queueMicrotask(() => {
      if (this.closed) return;
      this.handlers.onPayload(payload, () => {
        this.acks.push(signature ?? '');
        if (signature !== undefined && this.user !== undefined) this.station.acknowledge(this.user, signature);
      });
    });
  }
}

export class FakeStation {
  readonly identity: Identity;
  readonly links = new Set<FakeLink>();
  /** Every message clients sent, parsed, in order. */
  readonly received: ReliableMessage[] = [];
  /** Contents the station opened (handshakes, queries, pushes), with their envelope. */
  readonly opened: InstantMessage[] = [];
  /** Offline inbox: receiver → (signature → payload); entries leave on ACK. */
  readonly inbox = new Map<string, Map<string, string>>();
  readonly directory = new Map<string, Contact>();
  down: boolean;
  answerPings = true;
  /** Swallow the next N user messages without routing or receipt (a lost frame). */
  dropNext = 0;
  /** Do not route at all (messages vanish, no receipts). */
  blackhole = false;
  /** Send the receipts of one event-loop turn as one array content, as a loaded dimkit station does. */
  coalesceReceipts = false;
  readonly #pendingReceipts = new Map<FakeLink, Content[]>();
  /** Array contents of receipts sent (with `coalesceReceipts`). */
  sentArrays = 0;
  connects = 0;

  constructor(options: FakeStationOptions = {}) {
    this.identity = createIdentity({ kind: 'btc', entity: 'station', name: 'fake station', backend });
    this.down = options.down ?? false;
  }

  get id(): string {
    return this.identity.id.text;
  }

  transport(url = 'fake://station'): Transport {
    return {
      url,
      host: 'fake',
      port: 1,
      connect: (handlers) => {
        const link = new FakeLink(this, handlers);
        this.connects++;
        if (this.down) {
          link.closed = true;
          queueMicrotask(() => handlers.onClose('connection refused'));
          return link;
        }
        this.links.add(link);
        queueMicrotask(() => !link.closed && handlers.onOpen());
        return link;
      },
    };
  }

  /** Closes every link (a station restart). */
  dropAll(): void {
    for (const link of [...this.links]) link.close('station restart');
  }

  linksOf(user: string): FakeLink[] {
    return [...this.links].filter((l) => l.user === user && !l.closed);
  }

  acknowledge(user: string, signature: string): void {
    this.inbox.get(user)?.delete(signature);
  }

  messagesTo(receiver: string): ReliableMessage[] {
    return this.received.filter((m) => m.receiver === receiver);
  }

  #learn(message: ReliableMessage): void {
    const known = this.directory.get(message.sender);
    const attached = senderAttachments(message, known?.meta, backend);
    if (attached.meta === undefined && known === undefined) return;
    const meta = known?.meta ?? attached.meta!;
    const visa = attached.visa === undefined ? known?.visa : newerDocument(known?.visa, attached.visa);
    this.directory.set(message.sender, { id: parseId(message.sender), meta, visa });
  }

  #seal(to: string, content: Content, attach = false): ReliableMessage {
    const contact = this.directory.get(to)!;
    const instant: JsonObject = { sender: this.id, receiver: to, time: Date.now() / 1000 };
    if (attach) {
      instant['meta'] = metaToDict(this.identity.meta);
      instant['visa'] = documentToDict(this.identity.visa!);
    }
    instant['content'] = content;
    return sealMessage(instant as InstantMessage, {
      signer: this.identity.privateKey,
      receiverKey: contactEncryptionKey(contact, backend),
      backend,
    });
  }

  #reply(link: FakeLink, to: string, content: Content): void {
    const attach = !link.introduced;
    link.introduced = true;
    link.push(serializeMessage(this.#seal(to, content, attach)));
  }

  /** A station receipt about `message` (station spec §3.5). */
  #receipt(link: FakeLink, message: ReliableMessage, text: string): void {
    if (link.user === undefined) return;
    const receipt = createReceiptCommand({ text, origin: receiptOrigin(message as JsonObject) });
    if (!this.coalesceReceipts) {
      this.#reply(link, link.user, receipt);
      return;
    }
    const pending = this.#pendingReceipts.get(link);
    if (pending !== undefined) {
      pending.push(receipt);
      return;
    }
    this.#pendingReceipts.set(link, [receipt]);
    setImmediate(() => {
      const batch = this.#pendingReceipts.get(link) ?? [];
      this.#pendingReceipts.delete(link);
      if (link.user === undefined) return;
      if (batch.length > 1) this.sentArrays++;
      this.#reply(link, link.user, batch.length === 1 ? batch[0]! : createArrayContent(batch));
    });
  }

  /** Sends a raw payload to every link of `user` (tests use it to replay or tamper). */
  pushRaw(user: string, payload: string): void {
    for (const link of this.linksOf(user)) link.push(payload);
  }

  /** Delivers `message` to `receiver` like the router: inbox first, then every live session. */
  deliver(message: ReliableMessage, payload = serializeMessage(message)): 'delivered' | 'cached' {
    let box = this.inbox.get(message.receiver);
    if (box === undefined) {
      box = new Map();
      this.inbox.set(message.receiver, box);
    }
    box.set(message.signature, payload);
    const links = this.linksOf(message.receiver);
    for (const link of links) link.push(payload, message.signature);
    return links.length > 0 ? 'delivered' : 'cached';
  }

  receive(link: FakeLink, payload: string): void {
    const message = parseReliableMessage(payload);
    this.received.push(message);
    this.#learn(message);
    const receiver = message.receiver;
    const toStation = receiver === this.id || receiver === 'station@anywhere';
    if (toStation || receiver === 'everyone@everywhere') {
      const sender = this.directory.get(message.sender);
      if (sender === undefined) return;
      const instant = openMessage(message, {
        me: this.id,
        decryptKeys: this.identity.decryptKeys,
        verifyKeys: contactVerifyKeys(sender, backend),
        backend,
      });
      this.opened.push(instant);
      this.#process(link, message, instant.content as Content, toStation);
      return;
    }
    if (link.user === undefined || link.user !== message.sender) return; // not logged in: suspended
    if (this.blackhole) return;
    if (this.dropNext > 0) {
      this.dropNext--;
      return;
    }
    const outcome = this.deliver(message, payload);
    this.#receipt(link, message, outcome === 'delivered' ? 'Message delivered.' : 'Message cached.');
  }

  #process(link: FakeLink, message: ReliableMessage, content: Content, toStation: boolean): void {
    const sender = message.sender;
    if (isHandshakeCommand(content)) {
      if (content.session === link.sessionKey) {
        link.user = sender;
        this.#reply(link, sender, createHandshakeCommand({ title: HandshakeTitle.SUCCESS, session: link.sessionKey }));
        for (const [signature, stored] of this.inbox.get(sender) ?? []) link.push(stored, signature);
      } else {
        this.#reply(link, sender, createHandshakeCommand({ title: HandshakeTitle.AGAIN, session: link.sessionKey }));
      }
      return;
    }
    if (link.user !== sender) return;
    if (isMetaCommand(content) && content.meta === undefined && toStation) {
      const subject = this.directory.get(content.did);
      if (subject === undefined) this.#receipt(link, message, 'Meta not found.');
      else this.#reply(link, sender, createMetaCommand({ did: content.did, meta: metaToDict(subject.meta) }));
      return;
    }
    if (isDocumentsCommand(content)) {
      if (content.documents === undefined) {
        if (!toStation) return;
        const subject = this.directory.get(content.did);
        if (subject === undefined || subject.visa === undefined) this.#receipt(link, message, 'Document not found.');
        else
          this.#reply(
            link,
            sender,
            createDocumentsCommand({
              did: content.did,
              meta: metaToDict(subject.meta),
              documents: [documentToDict(subject.visa)],
            }),
          );
        return;
      }
      const subject = this.directory.get(content.did);
      for (const dict of content.documents) {
        const doc = parseDocument(dict);
        if (subject !== undefined && verifyDocument(doc, subject.meta)) {
          this.directory.set(content.did, { ...subject, visa: newerDocument(subject.visa, doc) });
        }
      }
      if (toStation) this.#receipt(link, message, 'Document received.');
    }
  }

  /** Registers a user the station knows without it having connected (its meta and visa). */
  register(identity: Identity): void {
    this.directory.set(identity.id.text, { id: identity.id, meta: identity.meta, visa: identity.visa });
  }
}

/** A fresh user identity (ETH, with an RSA visa key) on the Node backend. */
export function newUser(name: string): Identity {
  return createIdentity({ name, backend });
}

/** Resolves when `predicate` holds, polling; rejects after `ms`. */
export async function until(predicate: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
