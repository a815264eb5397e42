// The ClientStore contract: every store (memory, SQLite, later IndexedDB) passes the same tests.
import { createTextContent, type Content } from '@dimkit/protocol/content';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { describe, expect, it } from 'vitest';
import type { ClientStore, NewOutgoing, ReceiptRecord } from '../src/core/index.js';

export interface StoreFixture {
  readonly store: ClientStore;
  /** Closes and opens the same store again (durable stores only). */
  readonly reopen?: () => Promise<ClientStore>;
}

const ME = 'moki@4WDfe3zZ4T7opFSi3iDAKiuTnUHjxmXekk';
const PEER = 'hulk@4YeVEN3aUnvC1DNUufCq1bs9zoBSJTzVEj';
const OTHER = '0x9527cfd2F49D3b5A1A7Bd8eD2b5eE3A9d0C6e3B1';

function outgoing(text: string, receiver = PEER, extra: Partial<Content> = {}): NewOutgoing {
  const content = { ...createTextContent(text), ...extra } as Content;
  return { kind: 'message', receiver, instant: { sender: ME, receiver, time: content.time!, content } };
}

function receipt(text: string, state: ReceiptRecord['state'], from = 'station'): ReceiptRecord {
  return { from, text, state, time: Date.now() / 1000 };
}

function incoming(signature: string, text: string, sender = PEER, time = Date.now() / 1000) {
  return {
    signature,
    time,
    message: {
      conversation: sender,
      sender,
      receiver: ME,
      time,
      content: createTextContent(text, { time }),
      signature,
    },
  };
}

export function describeClientStore(name: string, make: () => Promise<StoreFixture>): void {
  describe(`ClientStore contract: ${name}`, () => {
    it('keeps contacts and replaces them by ID', async () => {
      const { store } = await make();
      expect(await store.getContact(PEER)).toBeUndefined();
      await store.putContact({ id: PEER, meta: { type: 1 }, updatedAt: 1 });
      await store.putContact({ id: PEER, meta: { type: 1 }, document: { data: '{}' }, documentTime: 5, updatedAt: 2 });
      await store.putContact({ id: OTHER, meta: { type: 4 }, updatedAt: 3 });
      expect(await store.getContact(PEER)).toEqual({
        id: PEER,
        meta: { type: 1 },
        document: { data: '{}' },
        documentTime: 5,
        updatedAt: 2,
      });
      expect((await store.listContacts()).map((c) => c.id).sort()).toEqual([OTHER, PEER].sort());
    });

    it('keeps settings', async () => {
      const { store } = await make();
      expect(await store.getSetting('station')).toBeUndefined();
      await store.putSetting('station', 'a');
      await store.putSetting('station', 'b');
      expect(await store.getSetting('station')).toBe('b');
    });

    it('enqueues a message as pending in its conversation and as a queued outbox item', async () => {
      const { store } = await make();
      const [entry] = await store.enqueue([outgoing('hi')]);
      expect(entry!.message).toMatchObject({ conversation: PEER, direction: 'out', state: 'pending', read: true });
      expect(entry!.message!.content['text']).toBe('hi');
      expect(entry!.item).toMatchObject({ kind: 'message', receiver: PEER, state: 'queued', attempts: 0 });
      expect(entry!.item.messageId).toBe(entry!.message!.id);
      const [receiptItem] = await store.enqueue([
        { kind: 'receipt', receiver: PEER, instant: { content: {} } as JsonObject },
      ]);
      expect(receiptItem!.message).toBeUndefined();
      expect((await store.listOutbox()).map((i) => i.id)).toEqual([entry!.item.id, receiptItem!.item.id]);
    });

    it('puts a group message in the group conversation', async () => {
      const { store } = await make();
      const group = 'Group-1024@4Ub2dEvH5wqPp4V1CnHEL1oZ3ZYxSzRUJ4';
      const [entry] = await store.enqueue([outgoing('to the group', PEER, { group })]);
      expect(entry!.message!.conversation).toBe(group);
      expect(entry!.message!.group).toBe(group);
    });

    it('lists due items by id in batches, and tells when the next one is due (optional methods)', async (ctx) => {
      const { store } = await make();
      if (store.listDueOutbox === undefined || store.nextOutboxAttempt === undefined) {
        ctx.skip();
        return;
      }
      expect(await store.nextOutboxAttempt()).toBeUndefined();
      const entries = await store.enqueue([outgoing('1'), outgoing('2'), outgoing('3'), outgoing('4')]);
      const [a, b, c, d] = entries.map((e) => e.item.id);
      const now = (await store.getOutbox(a!))!.nextAttemptAt; // enqueued: due at once
      await store.updateOutbox(b!, { nextAttemptAt: now + 50 });
      await store.updateOutbox(c!, { state: 'failed', nextAttemptAt: now - 10 });
      expect((await store.listDueOutbox(now, 0, 1)).map((i) => i.id)).toEqual([a]);
      expect((await store.listDueOutbox(now, a!, 10)).map((i) => i.id)).toEqual([d]);
      expect((await store.listDueOutbox(now + 60, 0, 10)).map((i) => i.id)).toEqual([a, b, d]);
      expect(await store.nextOutboxAttempt()).toBe(now); // the failed item does not count
      await store.updateOutbox(a!, { nextAttemptAt: now + 70 });
      await store.updateOutbox(d!, { nextAttemptAt: now + 60 });
      expect(await store.nextOutboxAttempt()).toBe(now + 50);
    });

    it('records the sealed form and mirrors failure and retry on the message', async () => {
      const { store } = await make();
      const [entry] = await store.enqueue([outgoing('x')]);
      const id = entry!.item.id;
      const sealed = await store.updateOutbox(id, {
        reliable: { signature: 'SIG1' },
        signature: 'SIG1',
        state: 'in-flight',
        attempts: 1,
        nextAttemptAt: 123,
        lastError: 'old',
      });
      expect(sealed).toMatchObject({
        signature: 'SIG1',
        state: 'in-flight',
        attempts: 1,
        nextAttemptAt: 123,
        lastError: 'old',
      });
      expect(sealed!.reliable).toEqual({ signature: 'SIG1' });
      expect((await store.getMessage(entry!.message!.id))!.signature).toBe('SIG1');
      expect((await store.updateOutbox(id, { lastError: null }))!.lastError).toBeUndefined();
      await store.updateOutbox(id, { state: 'failed', lastError: 'meta.missing: nobody' });
      expect(await store.getMessage(entry!.message!.id)).toMatchObject({
        state: 'failed',
        error: 'meta.missing: nobody',
      });
      await store.updateOutbox(id, { state: 'queued', lastError: null });
      const back = await store.getMessage(entry!.message!.id);
      expect(back!.state).toBe('pending');
      expect(back!.error).toBeUndefined();
      expect(await store.updateOutbox(9999, { state: 'queued' })).toBeUndefined();
    });

    it('sends one message to several receivers: the items share it, sealed copies keep their signature', async () => {
      const { store } = await make();
      const group = 'Group-1024@4Ub2dEvH5wqPp4V1CnHEL1oZ3ZYxSzRUJ4';
      const first = outgoing('to all', PEER, { group });
      const copy = { sender: ME, receiver: OTHER, group, data: 'x', signature: 'SPLIT' } as JsonObject;
      const entries = await store.enqueue([
        first,
        { ...first, receiver: OTHER, sameMessage: true, reliable: copy },
        { ...first, receiver: ME, sameMessage: true, reliable: { ...copy, receiver: ME } },
        outgoing('alone'),
      ]);
      const [a, b, c, d] = entries;
      expect(b!.message!.id).toBe(a!.message!.id);
      expect(c!.message!.id).toBe(a!.message!.id);
      expect(d!.message!.id).not.toBe(a!.message!.id);
      expect((await store.listMessages(group)).map((m) => m.content['text'])).toEqual(['to all']);
      expect(b!.item).toMatchObject({ messageId: a!.message!.id, signature: 'SPLIT', reliable: copy });
      expect(a!.item.reliable).toBeUndefined();
      // each station receipt takes one copy; the message moves with the first
      const settled = await store.settle('SPLIT', 'delivered', receipt('Message delivered.', 'delivered'));
      expect(settled.item!.id).toBe(b!.item.id);
      expect(settled.message).toMatchObject({ id: a!.message!.id, state: 'delivered' });
      expect((await store.listOutbox()).map((i) => i.id)).toEqual([a!.item.id, c!.item.id, d!.item.id]);
      expect((await store.settle('SPLIT', 'cached', receipt('Message cached.', 'cached'))).item!.id).toBe(c!.item.id);
      // a copy sealed later (its own signature) still moves the shared message
      await store.updateOutbox(a!.item.id, { signature: 'OWN' });
      expect((await store.settle('OWN', 'delivered', receipt('Message delivered.', 'delivered'))).item!.id).toBe(
        a!.item.id,
      );
      expect((await store.listReceipts(a!.message!.id)).map((r) => r.text)).toEqual([
        'Message delivered.',
        'Message cached.',
        'Message delivered.',
      ]);
    });

    it('settles a message by signature: the item leaves, the state only moves forward, receipts are kept', async () => {
      const { store } = await make();
      const [entry] = await store.enqueue([outgoing('y')]);
      await store.updateOutbox(entry!.item.id, { signature: 'SIG2', state: 'in-flight' });
      const first = await store.settle('SIG2', 'delivered', receipt('Message delivered.', 'delivered'));
      expect(first.item!.id).toBe(entry!.item.id);
      expect(first.message!.state).toBe('delivered');
      expect(await store.listOutbox()).toHaveLength(0);
      const later = await store.settle('SIG2', 'cached', receipt('Message cached.', 'cached'));
      expect(later.item).toBeUndefined();
      expect(later.message).toBeUndefined(); // cached is behind delivered
      expect((await store.getMessage(entry!.message!.id))!.state).toBe('delivered');
      expect((await store.listReceipts(entry!.message!.id)).map((r) => r.text)).toEqual([
        'Message delivered.',
        'Message cached.',
      ]);
      expect(await store.findMessage('SIG2')).toMatchObject({ id: entry!.message!.id });
      expect(await store.settle('unknown', 'sent', receipt('x', 'sent'))).toEqual({});
    });

    it('a blocked message fails with the station text', async () => {
      const { store } = await make();
      const [entry] = await store.enqueue([outgoing('z')]);
      await store.updateOutbox(entry!.item.id, { signature: 'SIG3' });
      const result = await store.settle('SIG3', 'failed', receipt('Message is blocked by "hulk"', 'failed'));
      expect(result.message).toMatchObject({ state: 'failed', error: 'Message is blocked by "hulk"' });
    });

    it('removing an item fails its message', async () => {
      const { store } = await make();
      const [entry] = await store.enqueue([outgoing('cancel me')]);
      expect((await store.removeOutbox(entry!.item.id, 'cancelled'))!.id).toBe(entry!.item.id);
      expect(await store.getMessage(entry!.message!.id)).toMatchObject({ state: 'failed', error: 'cancelled' });
      expect(await store.removeOutbox(entry!.item.id, 'again')).toBeUndefined();
    });

    it('saves an incoming message once, with its replies, atomically', async () => {
      const { store } = await make();
      const reply: NewOutgoing = {
        kind: 'receipt',
        receiver: PEER,
        instant: { content: { text: 'Message received.' } },
      };
      expect(await store.hasSeen('IN1')).toBe(false);
      const first = await store.saveIncoming({ ...incoming('IN1', 'hello'), replies: [reply] });
      expect(first.duplicate).toBe(false);
      expect(first.message).toMatchObject({
        direction: 'in',
        sender: PEER,
        state: 'delivered',
        read: false,
        signature: 'IN1',
      });
      expect(first.replies).toHaveLength(1);
      expect(await store.hasSeen('IN1')).toBe(true);
      const again = await store.saveIncoming({ ...incoming('IN1', 'hello'), replies: [reply] });
      expect(again).toEqual({ duplicate: true, replies: [] });
      expect(await store.listOutbox()).toHaveLength(1);
      expect(await store.listMessages(PEER)).toHaveLength(1);
      const commandOnly = await store.saveIncoming({ signature: 'CMD1', time: 1 });
      expect(commandOnly.message).toBeUndefined();
      expect(await store.hasSeen('CMD1')).toBe(true);
    });

    it('marks a conversation read once and lists what was unread', async () => {
      const { store } = await make();
      await store.saveIncoming(incoming('R1', 'one'));
      await store.saveIncoming(incoming('R2', 'two'));
      await store.saveIncoming(incoming('R3', 'elsewhere', OTHER));
      const read = await store.markRead(PEER);
      expect(read.map((m) => m.signature)).toEqual(['R1', 'R2']);
      expect(read.every((m) => m.read)).toBe(true);
      expect(await store.markRead(PEER)).toEqual([]);
      const conversations = await store.listConversations();
      expect(conversations.find((c) => c.id === PEER)).toMatchObject({ count: 2, unread: 0 });
      expect(conversations.find((c) => c.id === OTHER)).toMatchObject({ count: 1, unread: 1 });
      expect(conversations[0]!.id).toBe(OTHER); // most recent first
    });

    it('a peer read receipt moves our sent messages up to its time, and no further', async () => {
      const { store } = await make();
      const entries = await store.enqueue([outgoing('a'), outgoing('b'), outgoing('c'), outgoing('d', OTHER)]);
      const [a, b, c, d] = entries.map((e) => e.message!);
      for (const [i, m] of [a, b, c, d].entries()) {
        await store.updateOutbox(entries[i]!.item.id, { signature: `S${i}` });
        if (m !== c) await store.settle(`S${i}`, 'delivered', receipt('Message delivered.', 'delivered'));
      }
      // c is still pending (never sent): a read receipt cannot make it read
      const moved = await store.markReadByPeer(PEER, PEER, b!.time, receipt('Message read.', 'read', PEER));
      expect(moved.map((m) => m.id)).toEqual([a!.id, b!.id]);
      expect((await store.getMessage(c!.id))!.state).toBe('pending');
      expect((await store.getMessage(d!.id))!.state).toBe('delivered');
    });

    it('pages messages newest last and lists incoming after an id', async () => {
      const { store } = await make();
      for (let i = 0; i < 5; i++) await store.saveIncoming(incoming(`P${i}`, `m${i}`));
      const last2 = await store.listMessages(PEER, { limit: 2 });
      expect(last2.map((m) => m.content['text'])).toEqual(['m3', 'm4']);
      const before = await store.listMessages(PEER, { limit: 2, before: last2[0]!.id });
      expect(before.map((m) => m.content['text'])).toEqual(['m1', 'm2']);
      const after = await store.listIncomingAfter(before[1]!.id);
      expect(after.map((m) => m.content['text'])).toEqual(['m3', 'm4']);
    });

    it('keeps the message key of each direction', async () => {
      const { store } = await make();
      const key = { algorithm: 'AES', data: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' };
      await store.saveCipherKey({ sender: ME, destination: PEER, key, since: 1 });
      await store.saveCipherKey({ sender: ME, destination: PEER, key: { ...key, data: 'x' }, since: 2 });
      await store.saveCipherKey({ sender: PEER, destination: ME, key, since: 3 });
      const keys = await store.loadCipherKeys();
      expect(keys).toHaveLength(2);
      expect(keys.find((k) => k.sender === ME)).toEqual({
        sender: ME,
        destination: PEER,
        key: { ...key, data: 'x' },
        since: 2,
      });
    });

    it('keeps everything across a reopen (durable stores)', async (ctx) => {
      const fixture = await make();
      if (fixture.reopen === undefined) {
        ctx.skip();
        return;
      }
      const [entry] = await fixture.store.enqueue([outgoing('durable')]);
      await fixture.store.saveIncoming(incoming('D1', 'kept'));
      await fixture.store.putContact({ id: PEER, meta: { type: 1 }, updatedAt: 1 });
      await fixture.store.saveCipherKey({ sender: ME, destination: PEER, key: { algorithm: 'PLAIN' }, since: 1 });
      const store = await fixture.reopen();
      expect((await store.listOutbox()).map((i) => i.id)).toEqual([entry!.item.id]);
      expect((await store.getMessage(entry!.message!.id))!.content['text']).toBe('durable');
      expect(await store.hasSeen('D1')).toBe(true);
      expect(await store.getContact(PEER)).toBeDefined();
      expect(await store.loadCipherKeys()).toHaveLength(1);
      await store.close();
    });
  });
}
