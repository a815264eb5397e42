import { nodeBackend } from '@dimkit/crypto-node';
import { isDimError } from '@dimkit/protocol';
import { contactEncryptionKey, type Identity } from '@dimkit/protocol/account';
import {
  createGroupCommand,
  createTextContent,
  isHandshakeCommand,
  isDocumentsCommand,
  isLoginCommand,
} from '@dimkit/protocol/content';
import { parseReliableMessage, sealMessage, serializeMessage } from '@dimkit/protocol/dkd';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MemoryClientStore,
  Messenger,
  type ClientStore,
  type MessengerEvents,
  type MessengerOptions,
} from '../src/core/index.js';
import { FakeStation, newUser, until } from './fake-station.js';

const running: Messenger[] = [];

function messenger(
  identity: Identity,
  station: FakeStation,
  store: ClientStore = new MemoryClientStore(),
  options: Partial<MessengerOptions> = {},
): Messenger {
  const m = new Messenger({
    identity,
    store,
    transport: station.transport(),
    backend: nodeBackend,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });
  running.push(m);
  return m;
}

function record<K extends keyof MessengerEvents>(m: Messenger, name: K): MessengerEvents[K][] {
  const events: MessengerEvents[K][] = [];
  m.on(name, (e) => events.push(e));
  return events;
}

async function started(m: Messenger): Promise<Messenger> {
  await m.start();
  await until(() => m.state === 'running', 5000, 'running');
  return m;
}

afterEach(async () => {
  for (const m of running.splice(0)) await m.stop();
});

const alice = newUser('alice');
const bob = newUser('bob');
const carol = newUser('carol');

describe('Messenger handshake (station spec §2.2)', () => {
  it('greets station@anywhere with meta and visa, adopts the station ID, answers DIM? with the session, runs on DIM!', async () => {
    const station = new FakeStation();
    const m = messenger(alice, station);
    const states = record(m, 'state');
    await started(m);
    const [first, second] = station.received;
    expect(first!.receiver).toBe('station@anywhere');
    expect(first!.meta).toBeDefined();
    expect(first!.visa).toBeDefined();
    expect(first!.key).toBeUndefined(); // broadcast: plain
    expect(second!.receiver).toBe(station.id);
    expect(second!.meta).toBeUndefined();
    expect(second!.key).toBeDefined(); // encrypted for the station
    const hellos = station.opened.filter((i) => isHandshakeCommand(i.content as never));
    expect(hellos[0]!.content['session']).toBeUndefined();
    expect(hellos[1]!.content['session']).toBe(station.linksOf(alice.id.text)[0]!.sessionKey);
    expect(m.stationId).toBe(station.id);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'handshaking', 'running']);
  });

  it('publishes its visa to station@anywhere and everyone@everywhere and broadcasts login once running', async () => {
    const station = new FakeStation();
    await started(messenger(alice, station));
    await until(() => station.opened.some((i) => isLoginCommand(i.content as never)), 2000, 'login');
    const pushes = station.opened.filter((i) => isDocumentsCommand(i.content as never));
    expect(pushes.map((i) => i.receiver).sort()).toEqual(['everyone@everywhere', 'station@anywhere']);
    expect(pushes[0]!.content['documents']).toHaveLength(1);
    const login = station.opened.find((i) => isLoginCommand(i.content as never))!;
    expect(login.receiver).toBe('everyone@everywhere');
    expect((login.content['station'] as { did: string }).did).toBe(station.id);
  });

  it('refuses a station other than the pinned one', async () => {
    const station = new FakeStation();
    const other = newUser('not the station');
    const m = messenger(alice, station, undefined, { stationId: other.id.text, reconnect: false });
    const rejected = record(m, 'rejected');
    await m.start();
    await until(() => m.state === 'closed', 3000, 'closed');
    expect(rejected.map((r) => r.code)).toContain('handshake.invalid');
  });

  it('reconnects with backoff after the link drops and handshakes again', async () => {
    const station = new FakeStation();
    const m = await started(messenger(alice, station));
    const states = record(m, 'state');
    station.dropAll();
    await until(() => station.connects === 2 && m.state === 'running', 3000, 'second session');
    expect(states.map((s) => s.state)).toEqual(['waiting', 'connecting', 'handshaking', 'running']);
    expect(states[0]!.retryInMs).toBeGreaterThanOrEqual(5);
  });

  it('keeps retrying while the station is down, then connects', async () => {
    const station = new FakeStation({ down: true });
    const m = messenger(alice, station);
    await m.start();
    await until(() => station.connects >= 3, 3000, 'retries');
    expect(m.state === 'waiting' || m.state === 'connecting').toBe(true);
    station.down = false;
    await until(() => m.state === 'running', 3000, 'running');
  });

  it('sends PING when idle and gives a silent link up', async () => {
    const station = new FakeStation();
    await started(messenger(alice, station, undefined, { heartbeatMs: 20, deadAfterMs: 200 }));
    const link = station.linksOf(alice.id.text)[0]!;
    await until(() => link.pings >= 2, 2000, 'pings');
    station.answerPings = false;
    await until(() => link.closed, 2000, 'dead link closed');
    await until(() => station.connects === 2, 2000, 'reconnect');
  });

  it('gives up a handshake the station never answers', async () => {
    const station = new FakeStation();
    const m = messenger(alice, station, undefined, { handshakeTimeoutMs: 50, reconnect: false });
    // The station ignores everything: the hello stays unanswered.
    station.receive = () => undefined;
    await m.start();
    await until(() => m.state === 'closed', 2000, 'closed');
  });
});

describe('Messenger messages', () => {
  it('chats both ways: station receipts, delivery receipts, stored history', async () => {
    const station = new FakeStation();
    const a = await started(messenger(alice, station));
    const b = await started(messenger(bob, station));
    const aReceipts = record(a, 'receipt');
    const bMessages = record(b, 'message');
    await a.contacts.accept(bob.id.text, bob.meta.dict, [bob.visa!.dict]);
    const sent = await a.send(bob.id.text, createTextContent('hello bob'));
    expect(sent.state).toBe('pending');
    const acked = await a.waitForReceipt(sent.id, 5000);
    expect(['delivered', 'sent']).toContain(acked.state);
    await until(() => bMessages.length === 1, 3000, 'bob gets it');
    expect(bMessages[0]!.message.content['text']).toBe('hello bob');
    expect(bMessages[0]!.message.sender).toBe(alice.id.text);
    // bob's "Message received." comes back to alice and is recorded (the state stays delivered)
    await until(
      async () => (await a.store.listReceipts(sent.id)).some((r) => r.from === bob.id.text),
      3000,
      'peer receipt',
    );
    expect(aReceipts.filter((r) => r.message.id === sent.id).map((r) => r.state)).toEqual(['delivered']);
    const aMessages = record(a, 'message');
    await b.send(alice.id.text, createTextContent('hi alice'));
    await until(() => aMessages.length === 1, 3000, 'alice gets the answer');
    expect(await a.store.listMessages(bob.id.text)).toHaveLength(2);
    expect((await a.store.listOutbox()).filter((i) => i.kind === 'message')).toHaveLength(0);
  });

  it('settles each message of a station array content of receipts (coalesced receipts), as if each came alone', async () => {
    const station = new FakeStation();
    station.coalesceReceipts = true;
    const a = await started(messenger(alice, station));
    await a.contacts.accept(bob.id.text, bob.meta.dict, [bob.visa!.dict]);
    const received = record(a, 'message');
    const sent = await Promise.all([1, 2, 3].map((n) => a.send(bob.id.text, createTextContent(`m${n}`))));
    const acked = await Promise.all(sent.map((m) => a.waitForReceipt(m.id, 5000)));
    for (const m of acked) expect(['delivered', 'sent', 'cached']).toContain(m.state);
    expect((await a.store.listOutbox()).filter((i) => i.kind === 'message')).toHaveLength(0);
    expect(received).toHaveLength(0); // the array is not a user message
    expect(station.sentArrays).toBeGreaterThan(0);
  });

  it('fetches an unknown receiver from the station before sealing', async () => {
    const station = new FakeStation();
    station.register(bob);
    const a = await started(messenger(alice, station));
    const contacts = record(a, 'contact');
    const sent = await a.send(bob.id.text, createTextContent('who are you?'));
    const done = await a.waitForReceipt(sent.id, 5000);
    expect(done.state).toBe('cached'); // bob is not connected
    expect(contacts.map((c) => c.contact.id.text)).toContain(bob.id.text);
    expect(await a.store.getContact(bob.id.text)).toBeDefined();
  });

  it('fails a message to an ID the station does not know, visibly, with meta.missing', async () => {
    const station = new FakeStation();
    const a = await started(messenger(alice, station));
    const sent = await a.send(carol.id.text, createTextContent('anyone?'));
    const error = await a.waitForReceipt(sent.id, 5000).catch((e: unknown) => e);
    expect(isDimError(error, 'meta.missing')).toBe(true);
    const [item] = await a.store.listOutbox();
    expect(item!.state).toBe('failed');
    expect(item!.lastError).toMatch(/^meta\.missing/);
    expect((await a.store.getMessage(sent.id))!.state).toBe('failed');
  });

  it('delivers to an offline user at its next login, and the inbox empties on ACK', async () => {
    const station = new FakeStation();
    station.register(bob);
    const a = await started(messenger(alice, station));
    const sent = await a.send(bob.id.text, createTextContent('while you were away'));
    expect((await a.waitForReceipt(sent.id, 5000)).state).toBe('cached');
    expect(station.inbox.get(bob.id.text)?.size).toBe(1);
    const b = messenger(bob, station);
    const messages = record(b, 'message');
    await started(b);
    await until(() => messages.length === 1, 3000, 'offline message');
    expect(messages[0]!.message.content['text']).toBe('while you were away');
    await until(() => station.inbox.get(bob.id.text)?.size === 0, 3000, 'ack');
  });

  it('persists a message before sending and sends it once the station is up', async () => {
    const station = new FakeStation({ down: true });
    station.register(bob);
    const store = new MemoryClientStore();
    const a = messenger(alice, station, store);
    await a.start();
    const sent = await a.send(bob.id.text, createTextContent('queued'));
    expect(await store.listOutbox()).toHaveLength(1);
    expect((await store.getMessage(sent.id))!.state).toBe('pending');
    station.down = false;
    expect((await a.waitForReceipt(sent.id, 5000)).state).toBe('cached');
    expect(await store.listOutbox()).toHaveLength(0);
  });

  it('resends a message without receipt, with the same signature, until the receipt comes', async () => {
    const station = new FakeStation();
    station.register(bob);
    const a = await started(messenger(alice, station, undefined, { retryFirstMs: 100 }));
    await a.contact(bob.id.text);
    station.dropNext = 1;
    const sent = await a.send(bob.id.text, createTextContent('lost once'));
    expect((await a.waitForReceipt(sent.id, 5000)).state).toBe('cached');
    const copies = station.messagesTo(bob.id.text);
    expect(copies).toHaveLength(2);
    expect(copies[0]!.signature).toBe(copies[1]!.signature);
  });

  it('resends what waited for a receipt as soon as a new link runs', async () => {
    const station = new FakeStation();
    station.register(bob);
    const a = await started(messenger(alice, station, undefined, { retryFirstMs: 60_000 }));
    await a.contact(bob.id.text);
    station.blackhole = true;
    const sent = await a.send(bob.id.text, createTextContent('across a reconnect'));
    await until(() => station.messagesTo(bob.id.text).length === 1, 2000, 'first try');
    station.blackhole = false;
    station.dropAll();
    expect((await a.waitForReceipt(sent.id, 5000)).state).toBe('cached');
    expect(station.messagesTo(bob.id.text)).toHaveLength(2);
  });

  it('a restarted client keeps its outbox and sends it when connected', async () => {
    const station = new FakeStation({ down: true });
    station.register(bob);
    const store = new MemoryClientStore();
    const first = messenger(alice, station, store);
    await first.start();
    const sent = await first.send(bob.id.text, createTextContent('survives a restart'));
    await first.stop();
    station.down = false;
    const second = messenger(alice, station, store);
    await second.start();
    expect((await second.waitForReceipt(sent.id, 5000)).state).toBe('cached');
    expect(station.messagesTo(bob.id.text)).toHaveLength(1);
  });

  it('processes a message delivered twice once, and acknowledges both copies', async () => {
    const station = new FakeStation();
    station.register(alice);
    const b = await started(messenger(bob, station));
    const messages = record(b, 'message');
    const a = await started(messenger(alice, station));
    const sent = await a.send(bob.id.text, createTextContent('once'));
    await a.waitForReceipt(sent.id, 5000);
    await until(() => messages.length === 1, 3000, 'first copy');
    const wire = station.messagesTo(bob.id.text)[0]!;
    const link = station.linksOf(bob.id.text)[0]!;
    const acksBefore = link.acks.length;
    station.deliver(wire);
    await until(() => link.acks.length === acksBefore + 1, 3000, 'second ack');
    expect(messages).toHaveLength(1);
    expect(await b.store.listMessages(alice.id.text)).toHaveLength(1);
  });

  it('parks a message from an unknown sender until its meta and visa arrive', async () => {
    const station = new FakeStation();
    const b = await started(messenger(bob, station));
    const a = await started(messenger(alice, station));
    await a.contact(bob.id.text);
    const messages = record(b, 'message');
    const contacts = record(b, 'contact');
    await a.send(bob.id.text, createTextContent('you do not know me yet'));
    await until(() => messages.length === 1, 3000, 'parked message released');
    expect(contacts.map((c) => c.contact.id.text)).toContain(alice.id.text);
    // bob asked the station about alice
    const queries = station.opened.filter((i) => i.sender === bob.id.text && i.content['did'] === alice.id.text);
    expect(queries.length).toBeGreaterThanOrEqual(1);
  });

  it('rejects a message from a sender the station does not know, and acknowledges it', async () => {
    const station = new FakeStation();
    const b = await started(messenger(bob, station));
    const rejected = record(b, 'rejected');
    // carol never connected: nobody knows her meta
    const forged = sealMessage(
      {
        sender: carol.id.text,
        receiver: bob.id.text,
        time: Date.now() / 1000,
        content: createTextContent('hi'),
      } as never,
      { signer: carol.privateKey, receiverKey: contactEncryptionKey(bob, nodeBackend), backend: nodeBackend },
    );
    const link = station.linksOf(bob.id.text)[0]!;
    link.push(serializeMessage(forged), forged.signature);
    await until(() => rejected.length === 1, 3000, 'rejected');
    expect(rejected[0]!.code).toBe('meta.missing');
    await until(() => link.acks.includes(forged.signature), 3000, 'acked');
  });

  it('rejects a tampered message and reports it', async () => {
    const station = new FakeStation();
    station.register(alice);
    const b = await started(messenger(bob, station));
    const a = await started(messenger(alice, station));
    const rejected = record(b, 'rejected');
    const messages = record(b, 'message');
    station.blackhole = true;
    await a.send(bob.id.text, createTextContent('original'));
    await until(() => station.messagesTo(bob.id.text).length === 1, 3000, 'sent');
    const wire = station.messagesTo(bob.id.text)[0]!;
    const data = Buffer.from(wire.data, 'base64');
    data[data.length - 1]! ^= 1;
    const tampered = { ...wire, data: data.toString('base64') };
    station.pushRaw(bob.id.text, JSON.stringify(tampered));
    await until(() => rejected.length === 1, 3000, 'rejected');
    expect(rejected[0]!.code).toBe('signature.invalid');
    expect(rejected[0]!.sender).toBe(alice.id.text);
    expect(messages).toHaveLength(0);
  });

  it('answers user messages with "Message received." but never commands', async () => {
    const station = new FakeStation();
    station.register(alice);
    station.register(bob);
    const b = await started(messenger(bob, station));
    const a = await started(messenger(alice, station));
    const groupEvents = record(b, 'group');
    await a.send(bob.id.text, createTextContent('text'));
    await a.send(bob.id.text, createGroupCommand('quit', 'group-1@4TqHzoKvdBbcE3hvcHxz2mm8yzChm7TQyo' as never));
    await until(() => groupEvents.length === 1, 3000, 'group command');
    await until(() => station.messagesTo(alice.id.text).length >= 1, 3000, 'receipt');
    await new Promise((r) => setTimeout(r, 100));
    const received = station.messagesTo(alice.id.text);
    expect(received).toHaveLength(1);
    expect(groupEvents[0]!.command).toBe('quit');
  });

  it('read receipts (dimkit extension) mark our messages read up to the one read', async () => {
    const station = new FakeStation();
    station.register(alice);
    station.register(bob);
    const b = await started(messenger(bob, station));
    const a = await started(messenger(alice, station));
    const bMessages = record(b, 'message');
    const first = await a.send(bob.id.text, createTextContent('one'));
    const second = await a.send(bob.id.text, createTextContent('two'));
    await until(() => bMessages.length === 2, 3000, 'both arrive');
    const read = await b.markRead(alice.id.text);
    expect(read).toHaveLength(2);
    await until(async () => (await a.store.getMessage(first.id))!.state === 'read', 3000, 'first read');
    expect((await a.store.getMessage(second.id))!.state).toBe('read');
    const readReceipt = station.messagesTo(alice.id.text).length;
    expect(readReceipt).toBeGreaterThanOrEqual(3); // two delivery receipts + one read receipt
  });
});

describe('Messenger input handling', () => {
  it('drops garbage lines without stopping the others', async () => {
    const station = new FakeStation();
    const b = await started(messenger(bob, station));
    const rejected = record(b, 'rejected');
    station.pushRaw(bob.id.text, '{"not":"a message"}\n{garbage');
    await until(() => rejected.length === 2, 3000, 'rejections');
    expect(rejected.map((r) => r.code).sort()).toEqual(['encoding.json', 'message.format']);
  });

  it('stops cleanly: later sends refuse with client.closed', async () => {
    const station = new FakeStation();
    const a = await started(messenger(alice, station));
    await a.stop();
    expect(a.state).toBe('closed');
    const error = await a.send(bob.id.text, createTextContent('late')).catch((e: unknown) => e);
    expect(isDimError(error, 'client.closed')).toBe(true);
  });

  it('refuses to send to a group or broadcast ID (a caller bug)', async () => {
    const a = messenger(alice, new FakeStation());
    await expect(a.send('everyone@everywhere', createTextContent('x'))).rejects.toBeInstanceOf(RangeError);
  });

  it('parses what it hands over', () => {
    expect(() => parseReliableMessage('{}')).toThrow();
  });
});

describe('Messenger details', () => {
  it('holds the ACK of a frame while its message is parked, and never ACKs one pushed out of the lot', async () => {
    const station = new FakeStation();
    station.register(alice);
    await started(messenger(bob, station, undefined, { maxParked: 1, maxParkedPerSender: 1 }));
    const a = await started(messenger(alice, station));
    // bob does not know alice; the station will not answer queries for a while
    const link = station.linksOf(bob.id.text)[0]!;
    const realReceive = station.receive.bind(station);
    let holdQueries = true;
    const held: [typeof link, string][] = [];
    station.receive = (from, payload) => {
      if (holdQueries && from === link) held.push([from, payload]);
      else realReceive(from, payload);
    };
    const first = await a.send(bob.id.text, createTextContent('one'));
    await a.waitForReceipt(first.id, 3000);
    const second = await a.send(bob.id.text, createTextContent('two'));
    await a.waitForReceipt(second.id, 3000);
    await new Promise((r) => setTimeout(r, 50));
    const signatures = station.messagesTo(bob.id.text).map((m) => m.signature);
    expect(signatures).toHaveLength(2);
    expect(link.acks.filter((s) => signatures.includes(s))).toEqual([]); // both waiting
    holdQueries = false;
    for (const [from, payload] of held.splice(0)) realReceive(from, payload);
    await until(() => link.acks.includes(signatures[1]!), 3000, 'the kept one is acknowledged');
    // the first was pushed out of the lot (capacity 1): not acknowledged, the station keeps it
    expect(link.acks).not.toContain(signatures[0]);
    expect(station.inbox.get(bob.id.text)?.has(signatures[0]!)).toBe(true);
  });

  it('asks for a newer visa when a message carries a newer SDT', async () => {
    const station = new FakeStation();
    const b = await started(messenger(bob, station, undefined, { queryIntervalMs: 0 }));
    const a = await started(messenger(alice, station));
    await a.contact(bob.id.text);
    await a.send(bob.id.text, createTextContent('first'));
    await until(async () => (await b.contacts.get(alice.id.text)) !== undefined, 3000, 'bob knows alice');
    const queriesBefore = station.opened.filter(
      (i) => i.sender === bob.id.text && i.content['did'] === alice.id.text,
    ).length;
    // alice re-signs her visa; her next message says so with SDT
    const { updateVisa } = await import('@dimkit/protocol/account');
    const renamed = updateVisa(alice, { name: 'alice 2' });
    station.register(renamed);
    const a2 = messenger(renamed, station);
    await started(a2);
    await a2.contact(bob.id.text);
    const contacts = record(b, 'contact');
    await a2.send(bob.id.text, createTextContent('second'));
    await until(() => contacts.some((c) => c.contact.visa?.properties['name'] === 'alice 2'), 3000, 'new visa');
    const queriesAfter = station.opened.filter(
      (i) => i.sender === bob.id.text && i.content['did'] === alice.id.text,
    ).length;
    expect(queriesAfter).toBeGreaterThan(queriesBefore);
  });

  it('retry() requeues a failed item and cancel() gives it up', async () => {
    const station = new FakeStation();
    const a = await started(messenger(alice, station));
    const sent = await a.send(carol.id.text, createTextContent('to someone unknown'));
    await a.waitForReceipt(sent.id, 3000).catch(() => undefined);
    const [item] = await a.store.listOutbox();
    expect(item!.state).toBe('failed');
    station.register(carol); // carol registers meanwhile
    await a.retry(item!.id);
    expect((await a.waitForReceipt(sent.id, 3000)).state).toBe('cached');
    const other = await a.send(carol.id.text, createTextContent('never mind'));
    const [next] = (await a.store.listOutbox()).filter((i) => i.messageId === other.id);
    station.blackhole = true;
    await a.cancel(next!.id);
    expect((await a.store.getMessage(other.id))!.state).toMatch(/failed|sent|cached/);
  });

  it('waitForReceipt times out with client.timeout and the message stays queued', async () => {
    const station = new FakeStation({ down: true });
    station.register(bob);
    const a = messenger(alice, station);
    await a.start();
    const sent = await a.send(bob.id.text, createTextContent('nobody listens'));
    const error = await a.waitForReceipt(sent.id, 100).catch((e: unknown) => e);
    expect(isDimError(error, 'client.timeout')).toBe(true);
    expect(await a.store.listOutbox()).toHaveLength(1);
  });

  it('keeps group messages in the group conversation and answers with a receipt naming the group', async () => {
    const station = new FakeStation();
    station.register(alice);
    station.register(bob);
    const b = await started(messenger(bob, station));
    const a = await started(messenger(alice, station));
    const group = 'Group-1024@4Ub2dEvH5wqPp4V1CnHEL1oZ3ZYxSzRUJ4';
    const messages = record(b, 'message');
    const sent = await a.send(bob.id.text, createTextContent('to the group', { group }));
    expect(sent.conversation).toBe(group);
    await until(() => messages.length === 1, 3000, 'group message');
    expect(messages[0]!.message).toMatchObject({ conversation: group, group });
    await until(async () => (await a.store.listReceipts(sent.id)).some((r) => r.from === bob.id.text), 3000, 'receipt');
  });

  it('ignores a handshake command from a user while running, and receipts about our messages from anyone but the receiver', async () => {
    const station = new FakeStation();
    station.register(alice);
    station.register(carol);
    const b = await started(messenger(bob, station));
    const states = record(b, 'state');
    const a = await started(messenger(alice, station));
    const { createHandshakeCommand, createReceiptCommand, receiptOrigin } = await import('@dimkit/protocol/content');
    await a.send(bob.id.text, createHandshakeCommand({ title: 'DIM?', session: 'x' }));
    // carol claims to have received a message bob sent to alice
    const c = await started(messenger(carol, station));
    const toAlice = await b.send(alice.id.text, createTextContent('for alice only'));
    await b.waitForReceipt(toAlice.id, 3000);
    const original = station.messagesTo(alice.id.text).find((m) => m.signature === (toAlice.signature ?? ''));
    const wire = original ?? station.messagesTo(alice.id.text).at(-1)!;
    await c.send(
      bob.id.text,
      createReceiptCommand({ text: 'Message received.', origin: receiptOrigin(wire as never) }),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(states.filter((s) => s.state === 'handshaking')).toHaveLength(0);
    const receipts = await b.store.listReceipts(toAlice.id);
    expect(receipts.some((r) => r.from === carol.id.text)).toBe(false);
  });

  it('processes forwarded messages as if they had come themselves', async () => {
    const station = new FakeStation();
    station.register(alice);
    station.register(bob);
    const b = await started(messenger(bob, station));
    const a = await started(messenger(alice, station));
    const messages = record(b, 'message');
    station.blackhole = true;
    await a.send(bob.id.text, createTextContent('wrapped'));
    await until(() => station.messagesTo(bob.id.text).length === 1, 3000, 'sealed');
    const inner = station.messagesTo(bob.id.text)[0]!;
    station.blackhole = false;
    const { createForwardContent } = await import('@dimkit/protocol/content');
    await a.send(bob.id.text, createForwardContent(inner as never));
    await until(() => messages.length === 1, 3000, 'inner message');
    expect(messages[0]!.message.content['text']).toBe('wrapped');
  });

  it('persists the message key of each direction, and loads it at the next start', async () => {
    const station = new FakeStation();
    station.register(bob);
    const store = new MemoryClientStore();
    const a = await started(messenger(alice, station, store));
    const sent = await a.send(bob.id.text, createTextContent('key'));
    await a.waitForReceipt(sent.id, 3000);
    const keys = await store.loadCipherKeys();
    expect(keys.map((k) => [k.sender, k.destination])).toContainEqual([alice.id.text, bob.id.text]);
    await a.stop();
    const again = await started(messenger(alice, station, store));
    const next = await again.send(bob.id.text, createTextContent('same key'));
    await again.waitForReceipt(next.id, 3000);
    const [first, second] = station.messagesTo(bob.id.text);
    // RSA wrapping is randomized: compare the message keys inside
    const unwrap = (wrapped: string) =>
      JSON.parse(Buffer.from(bob.decryptKeys[0]!.decrypt!(Buffer.from(wrapped, 'base64'))).toString()) as {
        data: string;
      };
    expect(unwrap(second!.key!).data).toBe(unwrap(first!.key!).data);
  });

  it('asks again about a sender the station did not know before, as soon as it writes', async () => {
    const station = new FakeStation();
    const b = await started(messenger(bob, station));
    const error = await b.contact(alice.id.text).catch((e: unknown) => e);
    expect(isDimError(error, 'meta.missing')).toBe(true);
    const messages = record(b, 'message');
    const a = await started(messenger(alice, station));
    await a.contact(bob.id.text);
    const sent = await a.send(bob.id.text, createTextContent('now I exist'));
    await until(() => messages.length === 1, 3000, 'the message');
    expect((await a.waitForReceipt(sent.id, 3000)).state).toBe('delivered');
  });
});
