import { isAdvance, type MessageState } from './message-state.js';
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
} from './client-store.js';
import { nowSeconds, outgoingMessageFields } from './_records.js';

/** Most signatures remembered; the oldest are forgotten first (the station keeps messages 7 days). */
const MAX_SEEN = 100_000;

/**
 * A `ClientStore` in memory: for tests, short-lived bots and the browser until it has a durable
 * one. Everything is lost when the process ends.
 */
export class MemoryClientStore implements ClientStore {
  readonly #contacts = new Map<string, ContactRecord>();
  readonly #settings = new Map<string, string>();
  readonly #outbox = new Map<number, OutboxItem>();
  readonly #messages = new Map<number, StoredMessage>();
  readonly #bySignature = new Map<string, number>();
  readonly #receipts = new Map<number, ReceiptRecord[]>();
  readonly #seen = new Set<string>();
  readonly #keys = new Map<string, CipherKeyRecord>();
  #nextMessage = 1;
  #nextItem = 1;
  #closed = false;

  #check(): void {
    if (this.#closed) throw new Error('MemoryClientStore: closed');
  }

  async getContact(id: string): Promise<ContactRecord | undefined> {
    this.#check();
    return this.#contacts.get(id);
  }

  async putContact(record: ContactRecord): Promise<void> {
    this.#check();
    this.#contacts.set(record.id, record);
  }

  async listContacts(): Promise<ContactRecord[]> {
    this.#check();
    return [...this.#contacts.values()];
  }

  async getSetting(name: string): Promise<string | undefined> {
    this.#check();
    return this.#settings.get(name);
  }

  async putSetting(name: string, value: string): Promise<void> {
    this.#check();
    this.#settings.set(name, value);
  }

  #enqueueOne(input: NewOutgoing, now: number, previous?: StoredMessage): EnqueuedOutgoing {
    let message: StoredMessage | undefined;
    const signature = input.reliable?.['signature'];
    if (input.kind === 'message') {
      message =
        input.sameMessage === true && previous !== undefined
          ? previous
          : { ...outgoingMessageFields(input), id: this.#nextMessage++, state: 'pending', read: true };
      if (typeof signature === 'string' && message.signature === undefined) message = { ...message, signature };
      this.#messages.set(message.id, message);
      if (typeof signature === 'string') this.#bySignature.set(signature, message.id);
    }
    const item: OutboxItem = {
      id: this.#nextItem++,
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
    this.#outbox.set(item.id, item);
    return message === undefined ? { item } : { item, message };
  }

  async enqueue(items: readonly NewOutgoing[]): Promise<EnqueuedOutgoing[]> {
    this.#check();
    const now = nowSeconds();
    let previous: StoredMessage | undefined;
    return items.map((input) => {
      const entry = this.#enqueueOne(input, now, previous);
      if (entry.message !== undefined) previous = entry.message;
      return entry;
    });
  }

  async listOutbox(): Promise<OutboxItem[]> {
    this.#check();
    return [...this.#outbox.values()];
  }

  async getOutbox(id: number): Promise<OutboxItem | undefined> {
    this.#check();
    return this.#outbox.get(id);
  }

  async listDueOutbox(now: number, afterId: number, limit: number): Promise<OutboxItem[]> {
    this.#check();
    const due: OutboxItem[] = [];
    for (const item of this.#outbox.values()) {
      if (item.id > afterId && item.state !== 'failed' && item.nextAttemptAt <= now) due.push(item);
      if (due.length >= limit) break;
    }
    return due;
  }

  async nextOutboxAttempt(): Promise<number | undefined> {
    this.#check();
    let next: number | undefined;
    for (const item of this.#outbox.values()) {
      if (item.state !== 'failed' && (next === undefined || item.nextAttemptAt < next)) next = item.nextAttemptAt;
    }
    return next;
  }

  #updateMessage(
    id: number | undefined,
    change: (m: StoredMessage) => StoredMessage | undefined,
  ): StoredMessage | undefined {
    if (id === undefined) return undefined;
    const message = this.#messages.get(id);
    if (message === undefined) return undefined;
    const next = change(message);
    if (next === undefined) return undefined;
    this.#messages.set(id, next);
    if (next.signature !== undefined) this.#bySignature.set(next.signature, id);
    return next;
  }

  async updateOutbox(id: number, patch: OutboxPatch): Promise<OutboxItem | undefined> {
    this.#check();
    const item = this.#outbox.get(id);
    if (item === undefined) return undefined;
    const { lastError, ...rest } = patch;
    const next: OutboxItem = { ...item, ...rest };
    if (lastError === null) delete (next as { lastError?: string }).lastError;
    else if (lastError !== undefined) (next as { lastError?: string }).lastError = lastError;
    this.#outbox.set(id, next);
    this.#updateMessage(item.messageId, (m) => {
      let out = m;
      if (patch.signature !== undefined) out = { ...out, signature: patch.signature };
      if (patch.state === 'failed' && m.state === 'pending') {
        out = { ...out, state: 'failed', ...(next.lastError === undefined ? {} : { error: next.lastError }) };
      } else if (patch.state === 'queued' && m.state === 'failed') {
        const { error: _e, ...restMessage } = out;
        out = { ...restMessage, state: 'pending' };
      }
      return out === m ? undefined : out;
    });
    return next;
  }

  async settle(signature: string, state: MessageState, receipt: ReceiptRecord): Promise<SettleResult> {
    this.#check();
    let item: OutboxItem | undefined;
    for (const candidate of this.#outbox.values()) {
      // The oldest first: the copies of a group message split per member share one signature.
      if (candidate.signature === signature) {
        item = candidate;
        break;
      }
    }
    if (item !== undefined) this.#outbox.delete(item.id);
    // The item's own message first: a message sent to several receivers has several signatures.
    const id = item?.messageId ?? this.#bySignature.get(signature);
    let moved: StoredMessage | undefined;
    if (id !== undefined) {
      this.#receipts.set(id, [...(this.#receipts.get(id) ?? []), receipt]);
      moved = this.#updateMessage(id, (m) =>
        m.direction === 'out' && isAdvance(m.state, state)
          ? { ...m, state, ...(state === 'failed' && receipt.text !== undefined ? { error: receipt.text } : {}) }
          : undefined,
      );
    }
    return { ...(item === undefined ? {} : { item }), ...(moved === undefined ? {} : { message: moved }) };
  }

  async removeOutbox(id: number, error: string): Promise<OutboxItem | undefined> {
    this.#check();
    const item = this.#outbox.get(id);
    if (item === undefined) return undefined;
    this.#outbox.delete(id);
    this.#updateMessage(item.messageId, (m) => (m.state === 'pending' ? { ...m, state: 'failed', error } : undefined));
    return item;
  }

  async getMessage(id: number): Promise<StoredMessage | undefined> {
    this.#check();
    return this.#messages.get(id);
  }

  async findMessage(signature: string): Promise<StoredMessage | undefined> {
    this.#check();
    const id = this.#bySignature.get(signature);
    return id === undefined ? undefined : this.#messages.get(id);
  }

  async listMessages(
    conversation: string,
    options: { limit?: number; before?: number } = {},
  ): Promise<StoredMessage[]> {
    this.#check();
    const limit = options.limit ?? 100;
    const before = options.before ?? Infinity;
    const all = [...this.#messages.values()].filter((m) => m.conversation === conversation && m.id < before);
    return all.slice(Math.max(0, all.length - limit));
  }

  async listIncomingAfter(after: number, limit = 1000): Promise<StoredMessage[]> {
    this.#check();
    return [...this.#messages.values()].filter((m) => m.direction === 'in' && m.id > after).slice(0, limit);
  }

  async listConversations(): Promise<ConversationSummary[]> {
    this.#check();
    const byId = new Map<string, ConversationSummary>();
    for (const m of this.#messages.values()) {
      const s = byId.get(m.conversation);
      byId.set(m.conversation, {
        id: m.conversation,
        lastMessageId: m.id,
        lastTime: Math.max(m.time, s?.lastTime ?? 0),
        count: (s?.count ?? 0) + 1,
        unread: (s?.unread ?? 0) + (m.read ? 0 : 1),
      });
    }
    return [...byId.values()].sort((a, b) => b.lastMessageId - a.lastMessageId);
  }

  async markRead(conversation: string): Promise<StoredMessage[]> {
    this.#check();
    const changed: StoredMessage[] = [];
    for (const m of this.#messages.values()) {
      if (m.conversation === conversation && m.direction === 'in' && !m.read) {
        const next = { ...m, read: true };
        this.#messages.set(m.id, next);
        changed.push(next);
      }
    }
    return changed;
  }

  async markReadByPeer(
    conversation: string,
    peer: string,
    time: number,
    receipt: ReceiptRecord,
  ): Promise<StoredMessage[]> {
    this.#check();
    const changed: StoredMessage[] = [];
    for (const m of this.#messages.values()) {
      if (m.conversation !== conversation || m.direction !== 'out' || m.receiver !== peer || m.time > time) continue;
      if (!isAdvance(m.state, 'read') || m.state === 'pending' || m.state === 'failed') continue;
      const next: StoredMessage = { ...m, state: 'read' };
      this.#messages.set(m.id, next);
      this.#receipts.set(m.id, [...(this.#receipts.get(m.id) ?? []), receipt]);
      changed.push(next);
    }
    return changed;
  }

  async listReceipts(messageId: number): Promise<ReceiptRecord[]> {
    this.#check();
    return [...(this.#receipts.get(messageId) ?? [])];
  }

  async hasSeen(signature: string): Promise<boolean> {
    this.#check();
    return this.#seen.has(signature);
  }

  async saveIncoming(record: IncomingRecord): Promise<IncomingResult> {
    this.#check();
    if (this.#seen.has(record.signature)) return { duplicate: true, replies: [] };
    if (this.#seen.size >= MAX_SEEN) this.#seen.delete(this.#seen.values().next().value!);
    this.#seen.add(record.signature);
    let message: StoredMessage | undefined;
    if (record.message !== undefined) {
      message = { ...record.message, direction: 'in', id: this.#nextMessage++, state: 'delivered', read: false };
      this.#messages.set(message.id, message);
      this.#bySignature.set(record.signature, message.id);
    }
    const now = nowSeconds();
    const replies = (record.replies ?? []).map((r) => this.#enqueueOne(r, now).item);
    return { duplicate: false, ...(message === undefined ? {} : { message }), replies };
  }

  async loadCipherKeys(): Promise<CipherKeyRecord[]> {
    this.#check();
    return [...this.#keys.values()];
  }

  async saveCipherKey(record: CipherKeyRecord): Promise<void> {
    this.#check();
    this.#keys.set(`${record.sender}\n${record.destination}`, record);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
