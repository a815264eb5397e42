import { isDimError } from '@dimkit/protocol';
import { identityToJson, parseIdentity, updateVisa, type Contact, type Identity } from '@dimkit/protocol/account';
import { type Content, createDocumentsCommand, createTextContent, type FileContent } from '@dimkit/protocol/content';
import { sha256 } from '@dimkit/protocol/crypto';
import { encodeHex, encodeUtf8, type JsonObject } from '@dimkit/protocol/encoding';
import { ANY_STATION, documentName, parseId, visaKey } from '@dimkit/protocol/mkm';
import {
  IndexedDbClientStore,
  WebSocketTransport,
  xhrFileTransfer,
  type UnlockedIdentity,
} from '@dimkit/client/browser';
import {
  downloadFile,
  fileKindOf,
  fileServiceUrl,
  Groups,
  Messenger,
  type GroupInfo,
  uploadFile,
  type FileTransfer,
  type ConnectionState,
  type ConversationSummary,
  type StateEvent,
  type StoredMessage,
} from '@dimkit/client/core';

/** What the app calls itself in its visa and login command. */
export const APP_ID = 'dimkit.web';
const PAGE = 60;
/** At most one visa refresh per contact in this time, when its messages say it has a newer visa. */
const VISA_REFRESH_MS = 5_000;

export interface Peer {
  readonly id: string;
  readonly name: string;
  readonly avatar?: string;
  readonly isGroup: boolean;
  /** First bytes of SHA-256 of the visa key, for comparing out of band. */
  readonly fingerprint?: string;
  /** When a changed visa key was noticed and not yet acknowledged (seconds). */
  readonly keyChangedAt?: number;
  /** Whether the station gave us a meta (else messages to it wait). */
  readonly known: boolean;
}

export interface ConversationView {
  readonly id: string;
  readonly lastMessage?: StoredMessage;
  readonly lastTime: number;
  readonly unread: number;
}

export interface Connection {
  readonly state: ConnectionState;
  readonly reason?: string;
  /** In `waiting`: when the next attempt starts (ms since 1970). */
  readonly retryAt?: number;
}

/** A file being encrypted and uploaded, before its message exists. */
export interface Upload {
  readonly id: number;
  readonly filename: string;
  readonly image: boolean;
  done: number;
  total: number;
  error?: string;
}

/** A received (or sent) file being downloaded and decrypted, or done. */
export interface Download {
  done: number;
  total: number | undefined;
  /** A blob URL of the plaintext, for pictures shown inline. */
  url?: string;
  bytes?: Uint8Array;
  error?: string;
}

interface Thread {
  messages: StoredMessage[];
  /** No older messages in the store. */
  complete: boolean;
}

/** A short readable name for an ID without a visa name: its name part, else the start of its address. */
export function fallbackName(id: string): string {
  const at = id.indexOf('@');
  if (at > 0) return id.slice(0, at);
  const address = id.slice(at + 1);
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

function fingerprintOf(contact: Contact | Identity): string | undefined {
  const visa = contact.visa;
  if (visa === undefined) return undefined;
  let key: JsonObject | undefined;
  try {
    key = visaKey(visa)?.dict as JsonObject | undefined;
  } catch {
    return undefined;
  }
  const data = key?.['data'];
  if (typeof data !== 'string') return undefined;
  const hex = encodeHex(sha256(encodeUtf8(data))).slice(0, 32);
  return hex.replace(/(.{4})(?!$)/g, '$1 ');
}

/**
 * The logged-in app: one SDK messenger over a browser WebSocket and the identity's IndexedDB store,
 * plus the little the UI keeps beside it (the roster of added contacts, display names, key-change
 * notices). Views read its fields and re-render on `subscribe`.
 */
export class ChatSession {
  identity: Identity;
  readonly store: IndexedDbClientStore;
  readonly transport: WebSocketTransport;
  readonly #unlocked: UnlockedIdentity;
  #messenger: Messenger;
  #groups: Groups;
  #offMessenger: (() => void)[] = [];
  readonly #listeners = new Set<() => void>();
  readonly #visaRefreshed = new Map<string, number>();
  readonly #transfer: FileTransfer = xhrFileTransfer();
  #uploadIds = 0;
  /** Uploads in progress, by conversation. */
  readonly uploads = new Map<string, Upload[]>();
  /** Downloads by message id. */
  readonly downloads = new Map<number, Download>();

  connection: Connection = { state: 'idle' };
  conversations: ConversationView[] = [];
  readonly peers = new Map<string, Peer>();
  roster: string[] = [];
  readonly threads = new Map<string, Thread>();
  /** Errors worth telling the user (a send that failed, a lookup that timed out). */
  notice: string | undefined;

  private constructor(
    unlocked: UnlockedIdentity,
    identity: Identity,
    store: IndexedDbClientStore,
    transport: WebSocketTransport,
  ) {
    this.#unlocked = unlocked;
    this.identity = identity;
    this.store = store;
    this.transport = transport;
    this.#messenger = this.#createMessenger();
    this.#groups = this.#createGroups();
  }

  /** Opens the identity's store and starts the messenger. Throws DimError for an identity file that does not verify. */
  static async open(unlocked: UnlockedIdentity, stationUrl: string): Promise<ChatSession> {
    const identity = parseIdentity(unlocked.identity);
    const store = await IndexedDbClientStore.open(IndexedDbClientStore.databaseName(identity.id.text), {
      secretKey: unlocked.storeKey,
    });
    const session = new ChatSession(unlocked, identity, store, new WebSocketTransport(stationUrl));
    await session.#load();
    await session.#messenger.start();
    return session;
  }

  get me(): string {
    return this.identity.id.text;
  }

  get myName(): string {
    return (this.identity.visa && documentName(this.identity.visa)) ?? fallbackName(this.me);
  }

  get myAvatar(): string | undefined {
    const avatar = this.identity.visa?.properties['avatar'];
    return typeof avatar === 'string' && avatar !== '' ? avatar : undefined;
  }

  get myFingerprint(): string | undefined {
    return fingerprintOf(this.identity);
  }

  get messenger(): Messenger {
    return this.#messenger;
  }

  get groups(): Groups {
    return this.#groups;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #createMessenger(): Messenger {
    const messenger = new Messenger({
      identity: this.identity,
      store: this.store,
      transport: this.transport,
      agent: 'dimkit web',
    });
    this.#offMessenger = [
      messenger.on('state', (e) => this.#onState(e)),
      messenger.on('message', ({ message, instant }) => {
        void this.#onMessage(message);
        void this.#checkVisaTime(message.sender, instant['SDT']);
      }),
      messenger.on('receipt', ({ message }) => this.#replaceMessage(message)),
      messenger.on('outbox', ({ item }) => {
        if (item.messageId !== undefined) void this.#reloadMessage(item.messageId);
      }),
      messenger.on('contact', ({ contact }) => void this.#onContact(contact)),
      messenger.on('error', ({ error, context }) => console.warn(`dimkit: ${context}:`, error)),
    ];
    return messenger;
  }

  /** The group logic of the SDK on this messenger: member lists kept in the store, commands checked on receipt. */
  #createGroups(): Groups {
    const groups = new Groups({ messenger: this.#messenger, identity: this.identity });
    this.#offMessenger.push(
      groups.on('group', (e) => void this.#onGroupChange(e.group)),
      groups.on('refused', (e) => console.warn(`dimkit: group ${e.group}: ${e.command} refused: ${e.reason}`)),
      groups.on('error', ({ error, context }) => console.warn(`dimkit: groups: ${context}:`, error)),
      () => groups.close(),
    );
    return groups;
  }

  async #onGroupChange(group: string): Promise<void> {
    await this.#refreshPeer(group);
    const info = await this.#groups.info(group);
    if (info === undefined) this.groupInfo.delete(group);
    else this.groupInfo.set(group, info);
    // A group we were added to shows in the list before its first message.
    if (info?.members.includes(this.me) && !this.roster.includes(group)) {
      this.roster = [...this.roster, group];
      await this.store.putSetting('web.roster', JSON.stringify(this.roster));
    }
    await this.#refreshConversations();
  }

  /** What is known of groups (members, owner), cached until a change. */
  readonly groupInfo = new Map<string, GroupInfo>();

  async loadGroupInfo(group: string): Promise<GroupInfo | undefined> {
    const info = await this.#groups.info(group);
    if (info !== undefined) this.groupInfo.set(group, info);
    this.#changed();
    return info;
  }

  /**
   * Creates a group (an MKM meta and a bulletin signed by us, pushed to the station) with these members
   * and sends them the member list; returns its ID. Members must be known contacts (their visas), else
   * they are listed but cannot be written to until their keys arrive.
   */
  async createGroup(name: string, members: readonly string[]): Promise<string> {
    const { group } = await this.#groups.create({ name, members });
    await this.#refreshPeer(group);
    await this.#refreshConversations();
    return group;
  }

  async inviteToGroup(group: string, members: readonly string[]): Promise<void> {
    await this.#groups.invite(group, members);
    await this.#onGroupChange(group);
  }

  async quitGroup(group: string): Promise<void> {
    await this.#groups.quit(group);
    await this.#onGroupChange(group);
  }

  async #load(): Promise<void> {
    const roster = await this.store.getSetting('web.roster');
    this.roster = roster === undefined ? [] : (JSON.parse(roster) as string[]);
    for (const record of await this.store.listContacts()) {
      await this.#refreshPeer(record.id);
    }
    await this.#refreshConversations();
  }

  // ------------------------------------------------------------------ state from the SDK

  #onState(e: StateEvent): void {
    this.connection = {
      state: e.state,
      ...(e.reason === undefined ? {} : { reason: e.reason }),
      ...(e.retryInMs === undefined ? {} : { retryAt: Date.now() + e.retryInMs }),
    };
    this.#changed();
  }

  async #onMessage(message: StoredMessage): Promise<void> {
    const thread = this.threads.get(message.conversation);
    if (thread !== undefined && !thread.messages.some((m) => m.id === message.id)) {
      thread.messages = [...thread.messages, message];
    }
    if (!this.peers.has(message.conversation)) await this.#refreshPeer(message.conversation);
    await this.#refreshConversations();
  }

  /**
   * wire spec §2.5: a message's `SDT` is the time of its sender's newest visa. When it is newer than the
   * visa we hold, ask the station for it now (the messenger also does, but at most once a minute per
   * contact; a changed key must not wait that long to be noticed).
   */
  async #checkVisaTime(sender: string, sdt: unknown): Promise<void> {
    if (typeof sdt !== 'number' || sender === this.me) return;
    const record = await this.store.getContact(sender);
    if (record === undefined || sdt <= (record.documentTime ?? 0)) return;
    const last = this.#visaRefreshed.get(sender) ?? 0;
    if (Date.now() - last < VISA_REFRESH_MS) return;
    this.#visaRefreshed.set(sender, Date.now());
    const query = createDocumentsCommand({
      did: sender,
      ...(record.documentTime === undefined ? {} : { last_time: record.documentTime }),
    });
    this.#messenger.sendCommand(ANY_STATION.text, query);
  }

  #replaceMessage(message: StoredMessage): void {
    const thread = this.threads.get(message.conversation);
    if (thread === undefined) return;
    const index = thread.messages.findIndex((m) => m.id === message.id);
    if (index < 0) return;
    const next = thread.messages.slice();
    next[index] = message;
    thread.messages = next;
    this.#changed();
  }

  async #reloadMessage(id: number): Promise<void> {
    const message = await this.store.getMessage(id);
    if (message !== undefined) this.#replaceMessage(message);
  }

  async #onContact(contact: Contact): Promise<void> {
    const id = contact.id.text;
    const fingerprint = fingerprintOf(contact);
    if (fingerprint !== undefined) {
      const known = await this.store.getSetting(`web.visa-key:${id}`);
      if (known !== fingerprint) {
        await this.store.putSetting(`web.visa-key:${id}`, fingerprint);
        // A key we had seen before was replaced: the contact re-installed, or someone else holds the ID now.
        if (known !== undefined) await this.store.putSetting(`web.key-changed:${id}`, String(Date.now() / 1000));
      }
    }
    await this.#refreshPeer(id, contact);
    this.#changed();
  }

  async #refreshPeer(id: string, contact?: Contact): Promise<Peer> {
    let isGroup = false;
    try {
      isGroup = parseId(id).isGroup;
    } catch {
      // not an ID we can show; keep the fallback
    }
    const c = contact ?? (await this.#messenger.contacts.get(id));
    const visa = c?.visa;
    const name = (visa && documentName(visa)) ?? fallbackName(id);
    const avatar = visa?.properties['avatar'];
    const changed = await this.store.getSetting(`web.key-changed:${id}`);
    const fingerprint = c === undefined ? undefined : fingerprintOf(c);
    const peer: Peer = {
      id,
      name,
      isGroup,
      known: c !== undefined,
      ...(typeof avatar === 'string' && avatar !== '' ? { avatar } : {}),
      ...(fingerprint === undefined ? {} : { fingerprint }),
      ...(changed ? { keyChangedAt: Number(changed) } : {}),
    };
    this.peers.set(id, peer);
    return peer;
  }

  peer(id: string): Peer {
    const known = this.peers.get(id);
    if (known !== undefined) return known;
    let isGroup = false;
    try {
      isGroup = parseId(id).isGroup;
    } catch {
      // shown with the fallback name
    }
    return { id, name: fallbackName(id), isGroup, known: false };
  }

  /** Users we can add to a group: the roster and the people we have conversations with. */
  knownUsers(): Peer[] {
    const ids = new Set([...this.roster, ...this.conversations.map((c) => c.id)]);
    return [...ids].map((id) => this.peer(id)).filter((p) => !p.isGroup && p.id !== this.me);
  }

  async #refreshConversations(): Promise<void> {
    const summaries: ConversationSummary[] = await this.store.listConversations();
    const views: ConversationView[] = [];
    const seen = new Set<string>();
    for (const s of summaries) {
      seen.add(s.id);
      const lastMessage = await this.store.getMessage(s.lastMessageId);
      views.push({ id: s.id, lastTime: s.lastTime, unread: s.unread, ...(lastMessage ? { lastMessage } : {}) });
    }
    // Contacts added but not written to yet, newest first, after the conversations.
    for (const id of [...this.roster].reverse()) if (!seen.has(id)) views.push({ id, lastTime: 0, unread: 0 });
    views.sort((a, b) => b.lastTime - a.lastTime);
    this.conversations = views;
    this.#changed();
  }

  // ------------------------------------------------------------------ actions

  /**
   * Adds a contact by ID: asks the station for its meta and visa (so messages can be encrypted to it)
   * and puts it in the roster. Throws DimError ('id.syntax', 'meta.missing', 'client.timeout').
   */
  async addContact(text: string): Promise<Peer> {
    const id = parseId(text.trim()).text;
    if (!this.roster.includes(id)) {
      this.roster = [...this.roster, id];
      await this.store.putSetting('web.roster', JSON.stringify(this.roster));
    }
    await this.#refreshPeer(id);
    await this.#refreshConversations();
    const contact = await this.#messenger.contact(id);
    const peer = await this.#refreshPeer(id, contact);
    this.#changed();
    return peer;
  }

  /** The loaded messages of a conversation (the newest page first time), oldest first. */
  async openThread(conversation: string): Promise<Thread> {
    let thread = this.threads.get(conversation);
    if (thread === undefined) {
      const messages = await this.store.listMessages(conversation, { limit: PAGE });
      thread = { messages, complete: messages.length < PAGE };
      this.threads.set(conversation, thread);
      this.#changed();
    }
    return thread;
  }

  /** Loads the page before the oldest loaded message; returns how many were added. */
  async loadOlder(conversation: string): Promise<number> {
    const thread = await this.openThread(conversation);
    if (thread.complete || thread.messages.length === 0) return 0;
    const older = await this.store.listMessages(conversation, { limit: PAGE, before: thread.messages[0]!.id });
    thread.complete = older.length < PAGE;
    thread.messages = [...older, ...thread.messages];
    this.#changed();
    return older.length;
  }

  async sendContent(conversation: string, content: Content): Promise<StoredMessage> {
    let message: StoredMessage;
    if (this.peer(conversation).isGroup) {
      const result = await this.#groups.send(conversation, content);
      if (result.message === undefined) throw new Error('Nobody in this group can be written to yet.');
      message = result.message;
    } else {
      message = await this.#messenger.send(conversation, content);
    }
    const thread = await this.openThread(conversation);
    if (!thread.messages.some((m) => m.id === message.id)) thread.messages = [...thread.messages, message];
    await this.#refreshConversations();
    return message;
  }

  sendText(conversation: string, text: string): Promise<StoredMessage> {
    return this.sendContent(conversation, createTextContent(text));
  }

  /**
   * Sends a file (wire spec §5.1): encrypted here with a fresh key, uploaded to the station's file service
   * with progress, then sent as a file or image content (a picture gets a thumbnail). Errors stay on the
   * upload entry (shown with the reason); nothing is sent then.
   */
  async sendFile(conversation: string, file: File, thumbnail?: string): Promise<void> {
    const image = thumbnail !== undefined;
    const upload: Upload = { id: ++this.#uploadIds, filename: file.name, image, done: 0, total: file.size };
    this.uploads.set(conversation, [...(this.uploads.get(conversation) ?? []), upload]);
    this.#changed();
    try {
      const data = new Uint8Array(await file.arrayBuffer());
      const content = await uploadFile(
        { data, filename: file.name },
        {
          transfer: this.#transfer,
          service: fileServiceUrl(this.transport.url),
          identity: this.identity,
          kind: image ? 'image' : fileKindOf(file.name) === 'image' ? 'file' : fileKindOf(file.name),
          ...(thumbnail === undefined ? {} : { thumbnail }),
          onProgress: (done, total) => {
            upload.done = done;
            upload.total = total ?? upload.total;
            this.#changed();
          },
        },
      );
      const message = await this.sendContent(conversation, content);
      // Our own picture needs no download: show the bytes we have.
      this.downloads.set(message.id, {
        done: data.length,
        total: data.length,
        bytes: data,
        ...(image ? { url: URL.createObjectURL(file) } : {}),
      });
      this.uploads.set(
        conversation,
        (this.uploads.get(conversation) ?? []).filter((u) => u !== upload),
      );
    } catch (error) {
      upload.error = String((error as Error).message ?? error);
    }
    this.#changed();
  }

  /** Forgets a failed upload. */
  dismissUpload(conversation: string, id: number): void {
    this.uploads.set(
      conversation,
      (this.uploads.get(conversation) ?? []).filter((u) => u.id !== id),
    );
    this.#changed();
  }

  /**
   * Downloads and decrypts the file of a message (once; later calls return the same entry). `mime` set:
   * the plaintext also gets a blob URL of that type, for an inline picture.
   */
  async fetchFile(message: StoredMessage, mime?: string): Promise<Download> {
    const known = this.downloads.get(message.id);
    if (known !== undefined && known.error === undefined) return known;
    const entry: Download = { done: 0, total: undefined };
    this.downloads.set(message.id, entry);
    this.#changed();
    try {
      const bytes = await downloadFile(message.content as FileContent, {
        transfer: this.#transfer,
        onProgress: (done, total) => {
          entry.done = done;
          entry.total = total;
          this.#changed();
        },
      });
      entry.bytes = bytes;
      if (mime !== undefined)
        entry.url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
    } catch (error) {
      entry.error = String((error as Error).message ?? error);
    }
    this.#changed();
    return entry;
  }

  /** Puts a failed message back in the queue. */
  async retry(message: StoredMessage): Promise<void> {
    for (const item of await this.store.listOutbox()) {
      if (item.messageId === message.id) await this.#messenger.retry(item.id);
    }
  }

  async markRead(conversation: string): Promise<void> {
    const view = this.conversations.find((c) => c.id === conversation);
    if (view === undefined || view.unread === 0) return;
    const changed = await this.#messenger.markRead(conversation);
    for (const message of changed) this.#replaceMessage(message);
    await this.#refreshConversations();
  }

  /** Clears the key-change notice of a contact (the user has checked it). */
  async acknowledgeKeyChange(id: string): Promise<void> {
    await this.store.putSetting(`web.key-changed:${id}`, '');
    // An empty setting reads as "no notice".
    const peer = this.peers.get(id);
    if (peer !== undefined) {
      const { keyChangedAt: _gone, ...rest } = peer;
      this.peers.set(id, rest);
    }
    this.#changed();
  }

  /**
   * Re-signs the visa with a new name and avatar, seals it in the vault, and publishes it: the
   * messenger is restarted with the new identity (it sends the visa to the station and to
   * everyone once running, station spec §6 step 5).
   */
  async updateProfile(name: string, avatar: string | undefined): Promise<void> {
    const properties: JsonObject = { name, avatar: avatar ?? '', app_id: APP_ID };
    const next = updateVisa(this.identity, properties);
    await this.#unlocked.save(identityToJson(next), name);
    this.identity = next;
    for (const off of this.#offMessenger) off();
    await this.#messenger.stop();
    this.#messenger = this.#createMessenger();
    this.#groups = this.#createGroups();
    await this.#messenger.start();
    this.#changed();
  }

  /** The identity file, as `dim id export` writes it (holds the private keys in the clear). */
  exportIdentity(): JsonObject {
    return identityToJson(this.identity);
  }

  async close(): Promise<void> {
    for (const download of this.downloads.values()) if (download.url !== undefined) URL.revokeObjectURL(download.url);
    for (const off of this.#offMessenger) off();
    await this.#messenger.stop();
    await this.store.close();
    this.#listeners.clear();
  }
}

/** A DimError's code, else undefined. */
export function errorCode(error: unknown): string | undefined {
  return isDimError(error) ? error.code : undefined;
}
