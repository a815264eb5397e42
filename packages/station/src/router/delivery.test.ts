import { afterEach, describe, expect, it } from 'vitest';
import { parseId } from '@dimkit/protocol/mkm';
import { silentLogger } from '../logger.js';
import { MetricsRegistry } from '../metrics/index.js';
import { Presence, Session } from '../session/index.js';
import { SqliteStore } from '../store/index.js';
import type { Connection, SendOptions } from '../transport/index.js';
import { Delivery } from './delivery.js';
import { createStationMetrics } from './metrics.js';

const RECEIVER = 'bob@1LWC7zgMFNMSwfhGCdnSVgjg7kApFLkXgV';
const LIMITS = {
  maxSuspended: 32,
  maxSuspendedBytes: 1 << 20,
  maxQueued: 64,
  maxQueuedBytes: 1 << 20,
  maxInFlight: 64,
  maxRefusals: 10,
};
const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Acker = (signature: string) => boolean | Promise<boolean>;

/** A connection that records what it is sent and acknowledges as `acker` says. */
class FakeConnection implements Connection {
  readonly id = `c${Math.random()}`;
  readonly transport = 'ws' as const;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 1;
  readonly bufferedBytes = 0;
  closed = false;
  readonly sent: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  acker: Acker;

  constructor(acker: Acker = () => true) {
    this.acker = acker;
  }

  async send(payload: Uint8Array, options?: SendOptions): Promise<boolean> {
    if (this.closed) return false;
    const signature = options?.ackKey ?? '';
    this.sent.push(decoder.decode(payload));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    const ok = await this.acker(signature);
    this.inFlight--;
    return ok && !this.closed;
  }

  close(): void {
    this.closed = true;
  }
  pause(): void {}
  resume(): void {}
}

const message = (n: number, size = 0) => ({
  signature: `sig-${n}`,
  time: n,
  payload: encoder.encode(`m${n}${' '.repeat(size)}`),
});

let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

function setup(options: { window?: number; windowBytes?: number; liveWindow?: number } = {}) {
  store = new SqliteStore(':memory:');
  const presence = new Presence();
  const registry = new MetricsRegistry();
  const delivery = new Delivery({
    store,
    presence,
    metrics: createStationMetrics(registry),
    log: silentLogger(),
    drainWindow: options.window ?? 8,
    drainWindowBytes: options.windowBytes ?? 1 << 20,
    drainBatch: 16,
    liveWindow: options.liveWindow ?? 64,
  });
  const connect = (conn: FakeConnection) => {
    const session = new Session(
      conn,
      LIMITS,
      async () => {},
      () => {},
    );
    session.bind(parseId(RECEIVER));
    presence.add(session);
    return session;
  };
  return { store, presence, delivery, connect, registry };
}

const sentNumbers = (conn: FakeConnection) => conn.sent.map((text) => Number(text.slice(1).trim()));

describe('Delivery', () => {
  it('caches for an offline receiver, then drains in order at online and removes what was acknowledged', async () => {
    const { store, delivery, connect } = setup();
    for (let n = 0; n < 40; n++) expect(await delivery.deliver(RECEIVER, message(n)).outcome).toBe('cached');
    const conn = new FakeConnection();
    connect(conn);
    delivery.online(RECEIVER);
    await delivery.idle();
    expect(sentNumbers(conn)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect(await store.inbox.count(RECEIVER)).toBe(0);
  });

  it('delivers live (first acknowledgement wins) and falls back to the inbox when nobody acknowledges', async () => {
    const { store, delivery, connect } = setup();
    const yes = new FakeConnection(() => true);
    const no = new FakeConnection(() => false);
    connect(yes);
    connect(no);
    expect(await delivery.deliver(RECEIVER, message(1)).outcome).toBe('delivered');
    yes.acker = () => false;
    expect(await delivery.deliver(RECEIVER, message(2)).outcome).toBe('cached');
    expect((await store.inbox.list(RECEIVER, { limit: 10 })).map((i) => i.signature)).toEqual(['sig-2']);
  });

  it('lets no message overtake or get lost while a drain runs: new ones queue behind it', async () => {
    const { store, delivery, connect } = setup({ window: 4 });
    for (let n = 0; n < 50; n++) await delivery.deliver(RECEIVER, message(n)).outcome;
    const conn = new FakeConnection();
    connect(conn);
    delivery.online(RECEIVER);
    const during: Promise<string>[] = [];
    for (let n = 50; n < 70; n++) {
      during.push(delivery.deliver(RECEIVER, message(n)).outcome);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const outcomes = await Promise.all(during);
    // Queued behind the drain while it ran (at least the first ones), live once it ended: never back.
    expect(outcomes[0]).toBe('cached');
    const live = outcomes.indexOf('delivered');
    if (live >= 0) expect(outcomes.slice(live).every((o) => o === 'delivered')).toBe(true);
    await delivery.idle();
    // Once drained, delivery is live again.
    expect(await delivery.deliver(RECEIVER, message(70)).outcome).toBe('delivered');
    expect(sentNumbers(conn)).toEqual(Array.from({ length: 71 }, (_, n) => n));
    expect(await store.inbox.count(RECEIVER)).toBe(0);
  });

  it('keeps at most drainWindow messages, and drainWindowBytes bytes, unacknowledged', async () => {
    const byCount = setup({ window: 5 });
    for (let n = 0; n < 30; n++) await byCount.delivery.deliver(RECEIVER, message(n)).outcome;
    const a = new FakeConnection();
    byCount.connect(a);
    byCount.delivery.online(RECEIVER);
    await byCount.delivery.idle();
    expect(a.maxInFlight).toBe(5);
    await byCount.store.close();

    const bySize = setup({ window: 64, windowBytes: 3000 });
    for (let n = 0; n < 30; n++) await bySize.delivery.deliver(RECEIVER, message(n, 1000)).outcome;
    const b = new FakeConnection();
    bySize.connect(b);
    bySize.delivery.online(RECEIVER);
    await bySize.delivery.idle();
    expect(b.maxInFlight).toBe(2);
    expect(sentNumbers(b)).toHaveLength(30);
  });

  it('stops a drain at an unacknowledged item; the rest waits for the next online, nothing is removed unacknowledged', async () => {
    const { store, delivery, connect } = setup({ window: 1 });
    for (let n = 0; n < 10; n++) await delivery.deliver(RECEIVER, message(n)).outcome;
    const conn = new FakeConnection((signature) => signature !== 'sig-3');
    connect(conn);
    delivery.online(RECEIVER);
    await delivery.idle();
    expect(sentNumbers(conn)).toEqual([0, 1, 2, 3]);
    expect((await store.inbox.list(RECEIVER, { limit: 20 })).map((i) => i.signature)).toEqual(
      Array.from({ length: 7 }, (_, k) => `sig-${k + 3}`),
    );
    conn.acker = () => true;
    delivery.online(RECEIVER);
    await delivery.idle();
    expect(sentNumbers(conn).slice(4)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(await store.inbox.count(RECEIVER)).toBe(0);
  });

  it('queues messages behind a full live window in the inbox, in order, and drains them as acknowledgements return', async () => {
    const { store, delivery, connect } = setup({ liveWindow: 4 });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const conn = new FakeConnection(async () => {
      await gate;
      return true;
    });
    connect(conn);
    const deliveries = Array.from({ length: 10 }, (_, n) => delivery.deliver(RECEIVER, message(n)));
    // The first four are pushed and wait; the others are taken on by the inbox at once.
    await Promise.all(deliveries.map((d) => d.accepted));
    expect(sentNumbers(conn)).toEqual([0, 1, 2, 3]);
    expect(await Promise.all(deliveries.slice(4).map((d) => d.outcome))).toEqual(Array(6).fill('cached'));
    release();
    expect(await Promise.all(deliveries.slice(0, 4).map((d) => d.outcome))).toEqual(Array(4).fill('delivered'));
    await delivery.idle();
    expect(sentNumbers(conn)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await store.inbox.count(RECEIVER)).toBe(0);
    expect(await delivery.deliver(RECEIVER, message(10)).outcome).toBe('delivered');
  });

  it('answers quota when the receiver inbox is full, and counts inbox depth', async () => {
    store = new SqliteStore(':memory:', { maxPerReceiver: 3 });
    const registry = new MetricsRegistry();
    const metrics = createStationMetrics(registry);
    const delivery = new Delivery({
      store,
      presence: new Presence(),
      metrics,
      log: silentLogger(),
      drainWindow: 8,
      drainWindowBytes: 1 << 20,
      drainBatch: 16,
      liveWindow: 64,
    });
    const outcomes = [];
    for (let n = 0; n < 5; n++) outcomes.push(await delivery.deliver(RECEIVER, message(n)).outcome);
    expect(outcomes).toEqual(['cached', 'cached', 'cached', 'quota', 'quota']);
    expect(await delivery.deliver(RECEIVER, message(1)).outcome).toBe('cached'); // a duplicate is still kept
    expect(registry.render()).toMatch(/dim_station_inbox_depth 3/);
  });
});
