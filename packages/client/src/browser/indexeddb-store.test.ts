import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { createTextContent } from '@dimkit/protocol/content';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { describe, expect, it } from 'vitest';
import type { ClientStore, NewOutgoing, ReceiptRecord } from '../core/client-store.js';
import { MemoryClientStore } from '../core/memory-store.js';
import { describeClientStore } from '../../test/store-contract.js';
import { IndexedDbClientStore } from './indexeddb-store.js';

const ALICE = 'alice@4WDfe3zZ4T7opFSi3iDAKiuTnUHjxmXekk';
const BOB = 'bob@4SrqnXn5KgHM9E3DXiKQhSyW3fzdCMGDVg';
const CAROL = 'carol@4RmNTtwsHXpS3DdcjJyb1DcznKDjHEVdTY';
const GROUP = 'team@4Tbh3Aav7MupFWxN4yJ5S3ioVYg6WtPAaU';

function outgoing(receiver: string, text: string, time: number, group?: string): NewOutgoing {
  const content = createTextContent(text, group === undefined ? { time } : { time, group });
  return {
    kind: 'message',
    receiver,
    instant: { sender: ALICE, receiver, time, content } as unknown as JsonObject,
  };
}

function incoming(sender: string, text: string, time: number, signature: string) {
  return {
    signature,
    time,
    message: {
      conversation: sender,
      sender,
      receiver: ALICE,
      time,
      content: createTextContent(text, { time }),
      signature,
    },
  };
}

const receipt = (state: ReceiptRecord['state'], from = 'station@x'): ReceiptRecord => ({ from, state, time: 1 });

let dbCounter = 0;
const factories: [string, () => Promise<ClientStore>][] = [
  ['MemoryClientStore', async () => new MemoryClientStore()],
  ['IndexedDbClientStore', async () => IndexedDbClientStore.open(`test-${++dbCounter}`, { factory: new IDBFactory() })],
];

describe.each(factories)('%s (the ClientStore behaviour the messenger relies on)', (_name, open) => {
  it('keeps contacts and settings, replacing by key', async () => {
    const store = await open();
    expect(await store.getContact(BOB)).toBeUndefined();
    await store.putContact({ id: BOB, meta: { type: '1' }, updatedAt: 1 });
    await store.putContact({ id: BOB, meta: { type: '1' }, document: { did: BOB }, documentTime: 5, updatedAt: 2 });
    expect(await store.getContact(BOB)).toMatchObject({ documentTime: 5, updatedAt: 2 });
    expect(await store.listContacts()).toHaveLength(1);
    expect(await store.getSetting('station')).toBeUndefined();
    await store.putSetting('station', 's1');
    await store.putSetting('station', 's2');
    expect(await store.getSetting('station')).toBe('s2');
    await store.close();
  });

  it('enqueues a message as pending in its conversation and the outbox, in order', async () => {
    const store = await open();
    const [a, b] = await store.enqueue([outgoing(BOB, 'one', 100), outgoing(BOB, 'two', 101)]);
    expect(a!.message).toMatchObject({ conversation: BOB, direction: 'out', state: 'pending', read: true, time: 100 });
    expect(a!.item).toMatchObject({ kind: 'message', state: 'queued', attempts: 0, messageId: a!.message!.id });
    expect(b!.message!.id).toBeGreaterThan(a!.message!.id);
    expect((await store.listOutbox()).map((i) => i.id)).toEqual([a!.item.id, b!.item.id]);
    expect((await store.listMessages(BOB)).map((m) => (m.content as unknown as { text: string }).text)).toEqual([
      'one',
      'two',
    ]);
    const [summary] = await store.listConversations();
    expect(summary).toMatchObject({ id: BOB, count: 2, unread: 0, lastMessageId: b!.message!.id, lastTime: 101 });
    await store.close();
  });

  it('files a group message under the group', async () => {
    const store = await open();
    const [entry] = await store.enqueue([outgoing(BOB, 'hi all', 100, GROUP)]);
    expect(entry!.message).toMatchObject({ conversation: GROUP, group: GROUP, receiver: BOB });
    await store.close();
  });

  it('records the sealed form and moves the message forward on receipts, never back', async () => {
    const store = await open();
    const [entry] = await store.enqueue([outgoing(BOB, 'hello', 100)]);
    const id = entry!.item.id;
    const sealed = await store.updateOutbox(id, {
      reliable: { signature: 'sig-1' },
      signature: 'sig-1',
      state: 'in-flight',
      attempts: 1,
      lastError: 'x',
    });
    expect(sealed).toMatchObject({ state: 'in-flight', attempts: 1, lastError: 'x', signature: 'sig-1' });
    expect((await store.updateOutbox(id, { lastError: null }))!.lastError).toBeUndefined();
    expect((await store.findMessage('sig-1'))!.id).toBe(entry!.message!.id);

    const first = await store.settle('sig-1', 'delivered', receipt('delivered'));
    expect(first.item?.id).toBe(id);
    expect(first.message?.state).toBe('delivered');
    expect(await store.listOutbox()).toEqual([]);
    // A later, weaker receipt does not move it back; it is still recorded.
    const later = await store.settle('sig-1', 'sent', receipt('sent'));
    expect(later.item).toBeUndefined();
    expect(later.message).toBeUndefined();
    expect((await store.getMessage(entry!.message!.id))!.state).toBe('delivered');
    expect((await store.listReceipts(entry!.message!.id)).map((r) => r.state)).toEqual(['delivered', 'sent']);
    await store.close();
  });

  it('marks a message failed and back to pending on retry; removing an item fails its message', async () => {
    const store = await open();
    const [a, b] = await store.enqueue([outgoing(BOB, 'a', 100), outgoing(BOB, 'b', 101)]);
    await store.updateOutbox(a!.item.id, { state: 'failed', lastError: 'meta.missing: nope' });
    expect(await store.getMessage(a!.message!.id)).toMatchObject({ state: 'failed', error: 'meta.missing: nope' });
    await store.updateOutbox(a!.item.id, { state: 'queued', lastError: null });
    const back = await store.getMessage(a!.message!.id);
    expect(back!.state).toBe('pending');
    expect(back!.error).toBeUndefined();
    expect(await store.removeOutbox(b!.item.id, 'cancelled')).toMatchObject({ id: b!.item.id });
    expect(await store.getMessage(b!.message!.id)).toMatchObject({ state: 'failed', error: 'cancelled' });
    expect(await store.removeOutbox(b!.item.id, 'again')).toBeUndefined();
    expect(await store.updateOutbox(999, { attempts: 3 })).toBeUndefined();
    await store.close();
  });

  it('saves an incoming message once, with its replies, and counts it unread', async () => {
    const store = await open();
    const receiptReply: NewOutgoing = { kind: 'receipt', receiver: BOB, instant: { sender: ALICE, receiver: BOB } };
    const first = await store.saveIncoming({ ...incoming(BOB, 'hey', 200, 'in-1'), replies: [receiptReply] });
    expect(first.duplicate).toBe(false);
    expect(first.message).toMatchObject({ direction: 'in', state: 'delivered', read: false, conversation: BOB });
    expect(first.replies).toHaveLength(1);
    expect(first.replies[0]).toMatchObject({ kind: 'receipt', state: 'queued' });
    expect(await store.hasSeen('in-1')).toBe(true);
    const again = await store.saveIncoming({ ...incoming(BOB, 'hey', 200, 'in-1'), replies: [receiptReply] });
    expect(again).toEqual({ duplicate: true, replies: [] });
    expect(await store.listOutbox()).toHaveLength(1);
    expect(await store.listMessages(BOB)).toHaveLength(1);
    // A signature without a message (a command) is only remembered.
    expect((await store.saveIncoming({ signature: 'cmd-1', time: 1 })).message).toBeUndefined();
    expect(await store.hasSeen('cmd-1')).toBe(true);
    expect(await store.hasSeen('other')).toBe(false);
    expect((await store.listConversations())[0]).toMatchObject({ id: BOB, unread: 1, count: 1 });
    await store.close();
  });

  it('marks a conversation read and returns what was unread, oldest first', async () => {
    const store = await open();
    await store.saveIncoming(incoming(BOB, 'b1', 200, 'b1'));
    await store.saveIncoming(incoming(CAROL, 'c1', 201, 'c1'));
    await store.saveIncoming(incoming(BOB, 'b2', 202, 'b2'));
    await store.enqueue([outgoing(BOB, 'mine', 203)]);
    const conversations = await store.listConversations();
    expect(conversations.map((c) => [c.id, c.unread])).toEqual([
      [BOB, 2],
      [CAROL, 1],
    ]);
    const read = await store.markRead(BOB);
    expect(read.map((m) => m.signature)).toEqual(['b1', 'b2']);
    expect(read.every((m) => m.read)).toBe(true);
    expect(await store.markRead(BOB)).toEqual([]);
    const after = await store.listConversations();
    expect(after.find((c) => c.id === BOB)!.unread).toBe(0);
    expect(after.find((c) => c.id === CAROL)!.unread).toBe(1);
    await store.close();
  });

  it('moves our sent messages to the peer up to a time to read on a read receipt', async () => {
    const store = await open();
    const entries = await store.enqueue([outgoing(BOB, 'a', 100), outgoing(BOB, 'b', 101), outgoing(BOB, 'c', 102)]);
    for (const [i, e] of entries.entries()) {
      await store.updateOutbox(e.item.id, { signature: `s${i}`, state: 'in-flight' });
    }
    await store.settle('s0', 'delivered', receipt('delivered'));
    await store.settle('s1', 'sent', receipt('sent'));
    // s2 is still pending: a read receipt cannot skip the station's.
    const moved = await store.markReadByPeer(BOB, BOB, 101.5, receipt('read', BOB));
    expect(moved.map((m) => m.signature)).toEqual(['s0', 's1']);
    expect((await store.findMessage('s2'))!.state).toBe('pending');
    expect(await store.markReadByPeer(BOB, CAROL, 200, receipt('read', CAROL))).toEqual([]);
    await store.close();
  });

  it('pages messages back from an id and lists incoming messages after an id', async () => {
    const store = await open();
    for (let i = 0; i < 10; i++) await store.saveIncoming(incoming(BOB, `m${i}`, 300 + i, `p${i}`));
    await store.saveIncoming(incoming(CAROL, 'other', 400, 'q'));
    const newest = await store.listMessages(BOB, { limit: 3 });
    expect(newest.map((m) => m.signature)).toEqual(['p7', 'p8', 'p9']);
    const older = await store.listMessages(BOB, { limit: 3, before: newest[0]!.id });
    expect(older.map((m) => m.signature)).toEqual(['p4', 'p5', 'p6']);
    const after = await store.listIncomingAfter(newest[1]!.id);
    expect(after.map((m) => m.signature)).toEqual(['p9', 'q']);
    expect(await store.listIncomingAfter(0, 2)).toHaveLength(2);
    await store.close();
  });

  it('keeps one message key per direction', async () => {
    const store = await open();
    await store.saveCipherKey({ sender: ALICE, destination: BOB, key: { algorithm: 'AES', data: 'k1' }, since: 1 });
    await store.saveCipherKey({ sender: ALICE, destination: BOB, key: { algorithm: 'AES', data: 'k2' }, since: 2 });
    await store.saveCipherKey({ sender: BOB, destination: ALICE, key: { algorithm: 'AES', data: 'k3' }, since: 3 });
    const keys = await store.loadCipherKeys();
    expect(keys).toHaveLength(2);
    expect(keys.find((k) => k.sender === ALICE)!.key).toEqual({ algorithm: 'AES', data: 'k2' });
    await store.close();
  });
});

async function aesKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

describe('IndexedDbClientStore on disk', () => {
  it('keeps everything across reopening', async () => {
    const factory = new IDBFactory();
    const first = await IndexedDbClientStore.open('persist', { factory });
    await first.enqueue([outgoing(BOB, 'kept', 100)]);
    await first.saveIncoming(incoming(BOB, 'also kept', 101, 'k1'));
    await first.close();
    const second = await IndexedDbClientStore.open('persist', { factory });
    expect((await second.listMessages(BOB)).map((m) => m.direction)).toEqual(['out', 'in']);
    expect(await second.listOutbox()).toHaveLength(1);
    expect(await second.hasSeen('k1')).toBe(true);
    await second.close();
    await expect(second.listOutbox()).rejects.toThrow(/closed/);
  });

  it('seals message keys at rest and opens them only with the same secret', async () => {
    const factory = new IDBFactory();
    const secret = await aesKey();
    const store = await IndexedDbClientStore.open('sealed', { factory, secretKey: secret });
    const key = { algorithm: 'AES', data: 'c2VjcmV0LWtleS1ieXRlcw==' };
    await store.saveCipherKey({ sender: ALICE, destination: BOB, key, since: 7 });
    expect(await store.loadCipherKeys()).toEqual([{ sender: ALICE, destination: BOB, key, since: 7 }]);
    await store.close();

    // What is on disk does not contain the key.
    const raw = await IndexedDbClientStore.open('sealed', { factory });
    expect(await raw.loadCipherKeys()).toEqual([]);
    await raw.close();
    const wrong = await IndexedDbClientStore.open('sealed', { factory, secretKey: await aesKey() });
    expect(await wrong.loadCipherKeys()).toEqual([]);
    await wrong.close();
  });

  it('aborts a transaction as a whole: an enqueue that fails leaves nothing behind', async () => {
    const store = await IndexedDbClientStore.open('atomic', { factory: new IDBFactory() });
    const bad = {
      kind: 'message',
      receiver: BOB,
      instant: { content: { sn: 1 }, bad: () => 1 },
    } as unknown as NewOutgoing;
    await expect(store.enqueue([outgoing(BOB, 'fine', 1), bad])).rejects.toThrow();
    expect(await store.listOutbox()).toEqual([]);
    expect(await store.listMessages(BOB)).toEqual([]);
    expect(await store.listConversations()).toEqual([]);
    await store.close();
  });

  it('can be deleted', async () => {
    const factory = new IDBFactory();
    const store = await IndexedDbClientStore.open('gone', { factory });
    await store.putSetting('x', '1');
    await store.close();
    await IndexedDbClientStore.destroy('gone', factory);
    const fresh = await IndexedDbClientStore.open('gone', { factory });
    expect(await fresh.getSetting('x')).toBeUndefined();
    await fresh.close();
  });
});

describeClientStore('IndexedDbClientStore', async () => {
  const factory = new IDBFactory();
  const name = `contract-${++dbCounter}`;
  const secretKey = await aesKey();
  const store = await IndexedDbClientStore.open(name, { factory, secretKey });
  return {
    store,
    reopen: async () => {
      await store.close();
      return IndexedDbClientStore.open(name, { factory, secretKey });
    },
  };
});

describe('IndexedDbClientStore schema upgrade', () => {
  it('opens a version-1 database and keeps its data, adding the outbox due index', async () => {
    const factory = new IDBFactory();
    // A database as the first release wrote it: version 1, no `due` index.
    const v1 = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open('old', 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('contacts', { keyPath: 'id' });
        db.createObjectStore('settings', { keyPath: 'name' });
        const messages = db.createObjectStore('messages', { keyPath: 'id', autoIncrement: true });
        messages.createIndex('conversation', ['conversation', 'id']);
        messages.createIndex('signature', 'signature');
        messages.createIndex('incoming', ['incoming', 'id']);
        db.createObjectStore('conversations', { keyPath: 'id' });
        const outbox = db.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
        outbox.createIndex('signature', 'signature');
        db.createObjectStore('receipts', { autoIncrement: true }).createIndex('messageId', 'messageId');
        db.createObjectStore('seen', { keyPath: 'signature' }).createIndex('time', 'time');
        db.createObjectStore('cipherKeys', { keyPath: ['sender', 'destination'] });
        db.createObjectStore('settings-unused', { keyPath: 'x' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    await new Promise<void>((resolve) => {
      const tx = v1.transaction('settings', 'readwrite');
      tx.objectStore('settings').put({ name: 'station', value: 'kept' });
      tx.oncomplete = () => resolve();
    });
    v1.close();
    const store = await IndexedDbClientStore.open('old', { factory });
    expect(await store.getSetting('station')).toBe('kept');
    const [entry] = await store.enqueue([outgoing(BOB, 'after the upgrade', 1)]);
    expect(await store.nextOutboxAttempt()).toBe(entry!.item.nextAttemptAt);
    await store.close();
  });
});
