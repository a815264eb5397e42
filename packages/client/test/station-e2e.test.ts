// The messenger against real dimkit stations (in this process, on loopback ports), over both
// transports, with SQLite client stores: chat both ways, offline delivery, restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBackend } from '@dimkit/crypto-node';
import type { Identity } from '@dimkit/protocol/account';
import { createTextContent } from '@dimkit/protocol/content';
import { Station, parseStationConfig, silentLogger } from '@dimkit/station';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Messenger, type MessengerEvents } from '../src/core/index.js';
import { SqliteClientStore, transportForUrl } from '../src/node/index.js';
import { newUser, until } from './fake-station.js';

const KDF = { N: 2 ** 10, r: 8, p: 1 };
const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function startStation(
  dataDir = tempDir('dim-e2e-station-'),
  port = 0,
): Promise<{ station: Station; port: number; dataDir: string }> {
  const config = parseStationConfig({ host: '127.0.0.1', port, dataDir, logLevel: 'silent' });
  const station = new Station({ config, logger: silentLogger() });
  const address = await station.start();
  return { station, port: address.port, dataDir };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

interface Client {
  messenger: Messenger;
  store: SqliteClientStore;
  /** Stops the messenger and closes the store (as quitting the program does). */
  close: () => Promise<void>;
}

async function client(identity: Identity, url: string, path?: string): Promise<Client> {
  const file = path ?? join(tempDir('dim-e2e-client-'), 'client.db');
  const store = SqliteClientStore.inspect(file)
    ? await SqliteClientStore.open(file, { passphrase: 'pw' })
    : await SqliteClientStore.create(file, { identity, passphrase: 'pw', kdf: KDF });
  const messenger = new Messenger({
    identity: store.identity,
    store,
    transport: transportForUrl(url),
    backend: nodeBackend,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await messenger.stop();
    await store.close();
  };
  cleanup.push(stop);
  return { messenger, store, close: stop };
}

async function running(c: Client): Promise<Client> {
  await c.messenger.start();
  await until(() => c.messenger.state === 'running', 10_000, 'running');
  return c;
}

function collect<K extends keyof MessengerEvents>(m: Messenger, name: K): MessengerEvents[K][] {
  const out: MessengerEvents[K][] = [];
  m.on(name, (e) => out.push(e));
  return out;
}

const alice = newUser('alice');
const bob = newUser('bob');

describe('Messenger with a real station', () => {
  it('two users chat both ways, one over WebSocket and one over MTP', async () => {
    const { station, port } = await startStation();
    cleanup.push(() => station.stop());
    const a = await running(await client(alice, `ws://127.0.0.1:${port}/`));
    const b = await running(await client(bob, `tcp://127.0.0.1:${port}`));
    expect(a.messenger.stationId).toBe(station.identity.id.text);
    const bMessages = collect(b.messenger, 'message');
    const aMessages = collect(a.messenger, 'message');

    const first = await a.messenger.send(bob.id.text, createTextContent('hello over ws'));
    expect((await a.messenger.waitForReceipt(first.id, 10_000)).state).toBe('delivered');
    await until(() => bMessages.length === 1, 10_000, 'bob receives');
    expect(bMessages[0]!.message.content['text']).toBe('hello over ws');

    const answer = await b.messenger.send(alice.id.text, createTextContent('hello over mtp'));
    expect((await b.messenger.waitForReceipt(answer.id, 10_000)).state).toBe('delivered');
    await until(() => aMessages.length === 1, 10_000, 'alice receives');
    expect(aMessages[0]!.message.content['text']).toBe('hello over mtp');

    // each side got the other's "Message received."
    await until(
      async () => (await a.store.listReceipts(first.id)).some((r) => r.from === bob.id.text),
      10_000,
      'receipt',
    );
    await until(
      async () => (await b.store.listReceipts(answer.id)).some((r) => r.from === alice.id.text),
      10_000,
      'receipt',
    );
    expect((await a.store.listMessages(bob.id.text)).map((m) => m.content['text'])).toEqual([
      'hello over ws',
      'hello over mtp',
    ]);
    // the station acknowledges our delivery receipts too: both outboxes drain
    await until(async () => (await a.store.listOutbox()).length === 0, 10_000, 'alice outbox empty');
    await until(async () => (await b.store.listOutbox()).length === 0, 10_000, 'bob outbox empty');
  });

  it('a message to an offline user is cached and delivered at its next login', async () => {
    const { station, port } = await startStation();
    cleanup.push(() => station.stop());
    const url = `ws://127.0.0.1:${port}/`;
    // bob logs in once (the station learns his meta and visa), then goes away
    const bobFile = join(tempDir('dim-e2e-bob-'), 'client.db');
    const b1 = await running(await client(bob, url, bobFile));
    await b1.close();

    const a = await running(await client(alice, url));
    const sent = await a.messenger.send(bob.id.text, createTextContent('while you were away'));
    expect((await a.messenger.waitForReceipt(sent.id, 10_000)).state).toBe('cached');

    const b2 = await client(bob, url, bobFile);
    const messages = collect(b2.messenger, 'message');
    await running(b2);
    await until(() => messages.length === 1, 10_000, 'offline message');
    expect(messages[0]!.message.content['text']).toBe('while you were away');
    // alice learns it was received
    await until(async () => (await a.store.getMessage(sent.id))!.state === 'delivered', 10_000, 'delivered');
  });

  it('a restarted client keeps its history and its unsent outbox, sent once the station is back', async () => {
    const first = await startStation();
    const url = (port: number) => `ws://127.0.0.1:${port}/`;
    // both users known to the station
    const b = await running(await client(bob, url(first.port)));
    const bMessages = collect(b.messenger, 'message');
    const aliceFile = join(tempDir('dim-e2e-alice-'), 'client.db');
    const a1 = await running(await client(alice, url(first.port), aliceFile));
    const delivered = await a1.messenger.send(bob.id.text, createTextContent('before the outage'));
    await a1.messenger.waitForReceipt(delivered.id, 10_000);

    // the station goes down; alice writes anyway, then quits
    await first.station.stop();
    await until(() => a1.messenger.state !== 'running', 10_000, 'link lost');
    const pending = await a1.messenger.send(bob.id.text, createTextContent('during the outage'));
    expect((await a1.store.getMessage(pending.id))!.state).toBe('pending');
    await a1.close();

    // the station comes back on the same port and data; alice starts again from her file
    const second = await startStation(first.dataDir, first.port);
    cleanup.push(() => second.station.stop());
    const a2 = await client(alice, url(second.port), aliceFile);
    expect((await a2.store.listMessages(bob.id.text)).map((m) => m.content['text'])).toEqual([
      'before the outage',
      'during the outage',
    ]);
    expect((await a2.store.listOutbox()).filter((i) => i.kind === 'message')).toHaveLength(1);
    await running(a2);
    const done = await a2.messenger.waitForReceipt(pending.id, 15_000);
    expect(['delivered', 'cached']).toContain(done.state);
    expect((await a2.store.listOutbox()).filter((i) => i.kind === 'message')).toHaveLength(0);
    await until(() => bMessages.some((m) => m.message.content['text'] === 'during the outage'), 15_000, 'bob gets it');
  });

  it('a burst of offline messages from a sender the receiver does not know yet arrives complete and in order', async () => {
    const { station, port } = await startStation();
    cleanup.push(() => station.stop());
    const url = `ws://127.0.0.1:${port}/`;
    const bobFile = join(tempDir('dim-e2e-bob-'), 'client.db');
    const b1 = await running(await client(bob, url, bobFile));
    await b1.close();
    const a = await running(await client(alice, url));
    const count = 300; // more than the station pushes before it hears back (its live window is 256)
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push((await a.messenger.send(bob.id.text, createTextContent(`m${i}`))).id);
    await until(async () => (await a.store.listOutbox()).length === 0, 30_000, 'all cached');
    const b2 = await client(bob, url, bobFile);
    const texts: string[] = [];
    b2.messenger.on('message', ({ message }) => texts.push(message.content['text'] as string));
    await running(b2);
    await until(() => texts.length === count, 30_000, `all ${count} (got ${texts.length})`);
    expect(texts).toEqual(Array.from({ length: count }, (_, i) => `m${i}`));
  }, 60_000);
});
