// The load generator of the station benchmark, a child process of bench/station.ts (so client work never runs
// on the station's event loop). It takes one job over IPC — relay, idle or drain — prints progress, and sends
// the figures back. All clients are real DIM users (createIdentity with the node crypto backend) on WebSocket.
import { nodeBackend } from '@dimkit/crypto-node';
import { createIdentity, identityEncryptionKey, type Identity } from '@dimkit/protocol/account';
import { createTextContent } from '@dimkit/protocol/content';
import { CipherKeyCache, sealMessage, serializeMessage, type InstantMessage } from '@dimkit/protocol/dkd';
import WebSocket from 'ws';
import { BenchConnection, ackFor, benchUser, senderOf, signatureOf } from './_station-client.js';
import { cpuSeconds, httpGet, metricValue, percentile, rssBytes, sleep } from './_station-lib.js';

/** One relay under test. */
export interface RelaySide {
  readonly name: string;
  /** `station`: `dim station`, clients handshake; `ws`: a baseline relay, clients connect to `/?id=<ID>`. */
  readonly kind: 'station' | 'ws';
  readonly port: number;
  readonly pid: number;
  /** Whether every relayed message earns its sender a receipt (a slice ends when all came back). */
  readonly receipts: boolean;
  /** For a `ws` relay that sends receipts: their sender ID. */
  readonly receiptsFrom?: string;
}

export interface RelayJob {
  readonly kind: 'relay';
  readonly sides: readonly RelaySide[];
  readonly clients: number;
  /** Each client sends to the clients this far ahead of it (mod clients), in turn. */
  readonly peerOffsets: readonly number[];
  /** Distinct sealed messages per (sender, peer), cycled. */
  readonly poolPerPeer: number;
  /** Messages a client keeps in flight (sent, not yet received by their receiver) in the throughput slices. */
  readonly window: number;
  readonly rounds: number;
  readonly sliceMs: number;
  /** The start of each slice not counted (the pipeline fills). */
  readonly settleMs: number;
  readonly warmupMs: number;
  readonly frameBytes: number;
  /** Open-loop phase: this fraction of the station's measured rate, sent to every relay. */
  readonly pacedFraction: number;
  readonly pacedMs: number;
}

export interface IdleJob {
  readonly kind: 'idle';
  readonly port: number;
  readonly pid: number;
  /** Cumulative connection counts at which the station's RSS is read. */
  readonly steps: readonly number[];
  readonly users: number;
  /** Connections per 127.x.y.z source address. */
  readonly perAddress: number;
  readonly concurrency: number;
  readonly settleMs: number;
}

export interface IdleStep {
  readonly connections: number;
  /** Station VmRSS, bytes. */
  readonly rss: number;
  /** (rss - RSS before any connection) / connections. */
  readonly perConnection: number;
  readonly handshakesPerSecond: number;
  /** Station CPU seconds per handshake of this step. */
  readonly cpuPerHandshake: number;
  readonly failed: number;
}

export interface DrainJob {
  readonly kind: 'drain';
  readonly port: number;
  readonly pid: number;
  readonly messages: number;
  readonly frameBytes: number;
  /** Messages the filling client keeps awaiting their "Message cached." receipt. */
  readonly window: number;
}

export type Job = RelayJob | IdleJob | DrainJob;

const log = (text: string) => console.log(`  ${text}`);

function createUsers(count: number, kind: 'eth' | 'mkm', prefix: string): Identity[] {
  const users: Identity[] = [];
  for (let i = 0; i < count; i++) {
    users.push(createIdentity({ kind, entity: 'user', name: `${prefix}${i}`, backend: nodeBackend }));
  }
  return users;
}

/** Opens `count` handshaken connections, at most `concurrency` handshakes at a time. */
async function openMany(
  count: number,
  concurrency: number,
  open: (index: number) => Promise<BenchConnection>,
  into: BenchConnection[],
): Promise<number> {
  let next = into.length;
  const end = into.length + count;
  let failures = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < end) {
      const index = next++;
      try {
        into[index] = await open(index);
      } catch (error) {
        failures++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failures > 0) log(`${failures} handshakes failed; first: ${String(firstError)}`);
  return failures;
}

/**
 * A sealed text message from `from` to `to` whose wire form is `frameBytes` long (±4: ECDSA signatures vary
 * by a byte or two), the text length found by sealing and adjusting.
 */
function sizedText(from: Identity, to: Identity, frameBytes: number): string {
  let length = Math.max(1, frameBytes - 700);
  const key = identityEncryptionKey(to, nodeBackend);
  for (let attempt = 0; attempt < 8; attempt++) {
    const text = 'x'.repeat(length);
    const size = Buffer.byteLength(seal(from, to.id.text, key, text, new CipherKeyCache()));
    if (Math.abs(size - frameBytes) <= 4) return text;
    length = Math.max(1, length + Math.round((frameBytes - size) * 0.75));
  }
  return 'x'.repeat(length);
}

function seal(
  from: Identity,
  to: string,
  key: ReturnType<typeof identityEncryptionKey>,
  text: string,
  cache: CipherKeyCache,
): string {
  const instant = {
    sender: from.id.text,
    receiver: to,
    time: Date.now() / 1000,
    content: createTextContent(text),
  } as unknown as InstantMessage;
  return serializeMessage(
    sealMessage(instant, { signer: from.privateKey, receiverKey: key, keyCache: cache, backend: nodeBackend }),
  );
}

// ---------------------------------------------------------------------------------------------------------
// (a) relay

interface Pooled {
  readonly bytes: Buffer;
  readonly signature: string;
}

interface Paced {
  readonly rate: number;
  readonly achieved: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

interface SideStats {
  readonly rates: number[];
  readonly latencies: number[];
  readonly relayCpu: number[];
  readonly loadCpu: number[];
  /** CPU seconds of the relay process per message, per slice. */
  readonly cpuPerMessage: number[];
  lost: number;
  paced: Paced | undefined;
}

interface LiveSide {
  readonly spec: RelaySide;
  send(client: number, bytes: Buffer): void;
  sent: number;
  receipts: number;
  readonly stats: SideStats;
  close(): void;
}

export interface RelaySideResult {
  readonly name: string;
  readonly rate: number;
  readonly rates: number[];
  readonly p50: number;
  readonly p99: number;
  readonly relayCpu: number;
  readonly loadCpu: number;
  readonly cpuPerMessageUs: number;
  readonly lost: number;
  readonly sent: number;
  readonly receipts: number;
  readonly paced: Paced | undefined;
}

async function relay(job: RelayJob) {
  const n = job.clients;
  let t = performance.now();
  const identities = createUsers(n, 'eth', 'relay');
  const users = identities.map(benchUser);
  log(`${n} users (ECC + RSA visa) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  // Pools: client i sends to peerOffsets in turn; each pooled message is sealed once and sent many times.
  t = performance.now();
  const text = sizedText(identities[0]!, identities[1]!, job.frameBytes);
  const peers = job.peerOffsets.length;
  const pools: Pooled[][] = identities.map((from, i) => {
    const cache = new CipherKeyCache();
    const keys = job.peerOffsets.map((o) => identityEncryptionKey(identities[(i + o) % n]!, nodeBackend));
    const pool: Pooled[] = [];
    for (let k = 0; k < peers * job.poolPerPeer; k++) {
      const p = k % peers;
      const wire = Buffer.from(seal(from, identities[(i + job.peerOffsets[p]!) % n]!.id.text, keys[p]!, text, cache));
      pool.push({ bytes: wire, signature: signatureOf(wire)! });
    }
    return pool;
  });
  const sizes = pools.flat().map((m) => m.bytes.length);
  log(
    `${sizes.length} messages sealed in ${((performance.now() - t) / 1000).toFixed(1)} s ` +
      `(${Math.min(...sizes)}–${Math.max(...sizes)} bytes)`,
  );

  // In-flight bookkeeping, shared by every relay (only one is driven at a time).
  const pending = new Map<string, { client: number; t0: number }>();
  const outstanding = new Int32Array(n);
  const cursor = new Int32Array(n);
  let closedLoop = false;
  let current: LiveSide | undefined;
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let counted = 0;
  let latencies: number[] = [];
  let unexpected = 0;

  const sendNext = (i: number): boolean => {
    const pool = pools[i]!;
    const item = pool[cursor[i]!]!;
    cursor[i] = (cursor[i]! + 1) % pool.length;
    if (pending.has(item.signature)) return false; // still in flight from an earlier turn of the pool
    pending.set(item.signature, { client: i, t0: performance.now() });
    outstanding[i]!++;
    current!.sent++;
    current!.send(i, item.bytes);
    return true;
  };
  const pump = (i: number) => {
    let tries = 0;
    while (closedLoop && outstanding[i]! < job.window && tries++ < pools[i]!.length) sendNext(i);
  };
  const delivered = (data: Buffer) => {
    const signature = signatureOf(data);
    const entry = signature === undefined ? undefined : pending.get(signature);
    if (entry === undefined) {
      unexpected++;
      return;
    }
    pending.delete(signature!);
    outstanding[entry.client]!--;
    const now = performance.now();
    if (now >= windowStart && now <= windowEnd) {
      counted++;
      latencies.push(now - entry.t0);
    }
    if (closedLoop) pump(entry.client);
  };
  const newStats = (): SideStats => ({
    rates: [],
    latencies: [],
    relayCpu: [],
    loadCpu: [],
    cpuPerMessage: [],
    lost: 0,
    paced: undefined,
  });

  const live: LiveSide[] = [];
  for (const spec of job.sides) {
    t = performance.now();
    if (spec.kind === 'station') {
      // Handshaken users; receipts from the station are counted, everything else was relayed.
      const conns: BenchConnection[] = [];
      let stationId = '';
      const side: LiveSide = {
        spec,
        sent: 0,
        receipts: 0,
        stats: newStats(),
        send: (i, bytes) => conns[i]!.ws.send(bytes, { binary: false }),
        close: () => conns.forEach((c) => c.close()),
      };
      const onPayload = (data: Buffer, conn?: BenchConnection) => {
        if (senderOf(data) === stationId) side.receipts += conn === undefined ? 1 : conn.contentsIn(data);
        else delivered(data);
      };
      const failed = await openMany(
        n,
        50,
        (i) => BenchConnection.open(users[i]!, { port: spec.port, onPayload: (d) => onPayload(d, conns[i]) }),
        conns,
      );
      if (failed > 0) throw new Error('station handshakes failed');
      stationId = conns[0]!.station!.id.text;
      live.push(side);
      log(`${n} station connections handshaken in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } else {
      // The same users on a bare relay, acknowledging every payload as they do on the station.
      const sockets: WebSocket[] = [];
      const side: LiveSide = {
        spec,
        sent: 0,
        receipts: 0,
        stats: newStats(),
        send: (i, bytes) => sockets[i]!.send(bytes, { binary: false }),
        close: () => sockets.forEach((ws) => ws.terminate()),
      };
      const from = spec.receiptsFrom;
      await Promise.all(
        identities.map(
          (id, i) =>
            new Promise<void>((resolve, reject) => {
              const ws = new WebSocket(`ws://127.0.0.1:${spec.port}/?id=${encodeURIComponent(id.id.text)}`, {
                perMessageDeflate: false,
              });
              sockets[i] = ws;
              ws.once('open', () => resolve());
              ws.once('error', reject);
              ws.on('message', (data: Buffer) => {
                const ack = ackFor(data);
                if (ack !== undefined) ws.send(ack, { binary: false });
                if (from !== undefined && senderOf(data) === from) side.receipts++;
                else delivered(data);
              });
            }),
        ),
      );
      live.push(side);
    }
  }

  /** Waits until every message sent was received and every receipt came back; counts the rest as lost. */
  const settle = async (side: LiveSide, timeoutMs = 30_000): Promise<number> => {
    const wantReceipts = side.spec.receipts ? side.sent : 0;
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (pending.size === 0 && side.receipts >= wantReceipts) return 0;
      await sleep(20);
    }
    const lost = pending.size + Math.max(0, wantReceipts - side.receipts);
    pending.clear();
    outstanding.fill(0);
    return lost;
  };

  /** Closed loop for `ms`: every client keeps `window` messages in flight; counts after `settleMs`. */
  const slice = async (side: LiveSide, ms: number, record: boolean) => {
    current = side;
    latencies = [];
    counted = 0;
    const start = performance.now();
    windowStart = start + job.settleMs;
    windowEnd = start + ms;
    closedLoop = true;
    for (let i = 0; i < n; i++) pump(i);
    await sleep(job.settleMs);
    const relayCpu0 = cpuSeconds(side.spec.pid);
    const loadCpu0 = process.cpuUsage();
    const cpuStart = performance.now();
    await sleep(ms - job.settleMs);
    const relayCpu = cpuSeconds(side.spec.pid) - relayCpu0;
    const load = process.cpuUsage(loadCpu0);
    const wall = (performance.now() - cpuStart) / 1000;
    const inWindow = counted;
    closedLoop = false;
    const rate = inWindow / ((windowEnd - windowStart) / 1000);
    const lost = await settle(side);
    if (record) {
      const s = side.stats;
      s.rates.push(rate);
      for (const l of latencies) s.latencies.push(l);
      s.relayCpu.push(relayCpu / wall);
      s.loadCpu.push((load.user + load.system) / 1e6 / wall);
      s.cpuPerMessage.push(relayCpu / Math.max(1, inWindow));
      s.lost += lost;
    }
    return rate;
  };

  /** Open loop at `rate` messages/s (round-robin over the clients) for `ms`: latency below saturation. */
  const paced = async (side: LiveSide, rate: number, ms: number): Promise<Paced> => {
    current = side;
    latencies = [];
    counted = 0;
    const start = performance.now();
    windowStart = start + Math.min(500, ms / 4);
    windowEnd = start + ms;
    let due = 0;
    let next = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = performance.now();
        if (now >= windowEnd) {
          clearInterval(timer);
          resolve();
          return;
        }
        const target = Math.floor(((now - start) / 1000) * rate);
        for (; due < target; due++) {
          sendNext(next);
          next = (next + 1) % n;
        }
      }, 2);
    });
    const achieved = counted / ((windowEnd - windowStart) / 1000);
    side.stats.lost += await settle(side);
    const sorted = Float64Array.from(latencies).sort();
    return {
      rate,
      achieved,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
    };
  };

  // Warm-up (JIT, connection buffers) on each, then rounds in rotating order, so drift on a shared machine
  // hits every relay alike.
  for (const side of live) await slice(side, job.warmupMs, false);
  for (let round = 0; round < job.rounds; round++) {
    const order = live.map((_, k) => live[(k + round) % live.length]!);
    const line: string[] = [];
    for (const side of order) line.push(`${side.spec.name} ${Math.round(await slice(side, job.sliceMs, true))}/s`);
    log(`round ${round + 1}/${job.rounds}: ${line.join(', ')}`);
  }

  // The same fixed rate for all: a fraction of the station's measured rate.
  const stationSide = live.find((s) => s.spec.kind === 'station')!;
  const pacedRate = Math.max(100, Math.round((medianOf(stationSide.stats.rates) * job.pacedFraction) / 100) * 100);
  for (const side of live) side.stats.paced = await paced(side, pacedRate, job.pacedMs);

  for (const side of live) side.close();
  const results: RelaySideResult[] = live.map((side) => {
    const s = side.stats;
    const sorted = Float64Array.from(s.latencies).sort();
    return {
      name: side.spec.name,
      rate: medianOf(s.rates),
      rates: s.rates.map(Math.round),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      relayCpu: medianOf(s.relayCpu),
      loadCpu: medianOf(s.loadCpu),
      cpuPerMessageUs: medianOf(s.cpuPerMessage) * 1e6,
      lost: s.lost,
      sent: side.sent,
      receipts: side.receipts,
      paced: s.paced,
    };
  });
  return { frameBytes: [Math.min(...sizes), Math.max(...sizes)] as [number, number], sides: results, unexpected };
}

function medianOf(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------------------------
// (b) idle connections

function sourceAddress(index: number, perAddress: number): string {
  const a = Math.floor(index / perAddress);
  return `127.0.${1 + (a >> 8)}.${1 + (a & 0xff)}`;
}

async function idle(job: IdleJob) {
  // Half ETH users (ECC identity key, RSA visa), half MKM users (RSA): handshakes cost the generator an ECDSA
  // signature per connection for the first kind, which would otherwise make it the bottleneck of this part.
  const half = Math.ceil(job.users / 2);
  const users = [...createUsers(half, 'eth', 'idle-eth'), ...createUsers(job.users - half, 'mkm', 'idle-rsa')].map(
    benchUser,
  );
  await sleep(job.settleMs);
  const rss0 = rssBytes(job.pid);
  log(`station RSS before: ${(rss0 / 2 ** 20).toFixed(1)} MiB`);
  const conns: BenchConnection[] = [];
  // Clients heartbeat (WebSocket pings count as traffic), so the station's idle timeout never fires.
  const heartbeat = setInterval(() => {
    for (const c of conns) if (c !== undefined) c.ws.ping();
  }, 30_000);
  const steps: {
    connections: number;
    rss: number;
    perConnection: number;
    handshakesPerSecond: number;
    failed: number;
  }[] = [];
  try {
    for (const target of job.steps) {
      const t = performance.now();
      const cpu0 = cpuSeconds(job.pid);
      const before = conns.length;
      const failed = await openMany(
        target - before,
        job.concurrency,
        (i) =>
          BenchConnection.open(users[i % users.length]!, {
            port: job.port,
            localAddress: sourceAddress(i, job.perAddress),
          }),
        conns,
      );
      const seconds = (performance.now() - t) / 1000;
      const cpu = cpuSeconds(job.pid) - cpu0;
      const open = conns.filter((c) => c !== undefined && c.ws.readyState === WebSocket.OPEN).length;
      await sleep(job.settleMs);
      const rss = rssBytes(job.pid);
      const step = {
        connections: open,
        rss,
        perConnection: (rss - rss0) / open,
        handshakesPerSecond: (target - before) / seconds,
        cpuPerHandshake: cpu / (target - before),
        failed,
      };
      steps.push(step);
      log(
        `${open} connections (${Math.ceil(target / job.perAddress)} source addresses), ` +
          `${Math.round(step.handshakesPerSecond)} handshakes/s (station CPU ${(step.cpuPerHandshake * 1000).toFixed(2)} ms each): station RSS ${(rss / 2 ** 20).toFixed(1)} MiB, ` +
          `${(step.perConnection / 1024).toFixed(1)} KiB per connection`,
      );
      if (failed > 0) break;
    }
  } finally {
    clearInterval(heartbeat);
    for (const c of conns) c?.close();
  }
  return { rss0, steps };
}

// ---------------------------------------------------------------------------------------------------------
// (c) inbox drain

async function drain(job: DrainJob) {
  const [receiver] = createUsers(1, 'eth', 'drain-receiver');
  // The filler is an MKM (RSA) user: RSA-1024 signs several times faster than secp256k1 here, and sealing 100k
  // messages is the generator's cost, not the station's.
  const [sender] = createUsers(1, 'mkm', 'drain-sender');
  const to = receiver!.id.text;
  const key = identityEncryptionKey(receiver!, nodeBackend);
  const text = sizedText(sender!, receiver!, job.frameBytes);
  const cache = new CipherKeyCache();
  const sent = new Set<string>();

  // Fill: the receiver is offline; every message is committed to its inbox before "Message cached." comes back.
  const filler = await BenchConnection.open(benchUser(sender!), { port: job.port });
  const stationId = filler.station!.id.text;
  let receipts = 0;
  let sealSeconds = 0;
  const fillCpu0 = cpuSeconds(job.pid);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let outstanding = 0;
    const pump = () => {
      while (outstanding < job.window && sent.size < job.messages) {
        const s = performance.now();
        const wire = Buffer.from(seal(sender!, to, key, text, cache));
        sealSeconds += (performance.now() - s) / 1000;
        sent.add(signatureOf(wire)!);
        outstanding++;
        filler.ws.send(wire, { binary: false });
      }
    };
    filler.onPayload = (data) => {
      if (senderOf(data) !== stationId) return;
      const n = filler.contentsIn(data);
      receipts += n;
      outstanding -= n;
      if (receipts === job.messages) resolve();
      else pump();
    };
    pump();
  });
  const fillSeconds = (performance.now() - t0) / 1000;
  const fillCpu = cpuSeconds(job.pid) - fillCpu0;
  filler.close();
  const depthAfterFill = metricValue(await httpGet(job.port, '/metrics'), 'dim_station_inbox_depth');
  log(
    `filled: ${job.messages} messages in ${fillSeconds.toFixed(1)} s (${Math.round(job.messages / fillSeconds)}/s, ` +
      `of which sealing ${sealSeconds.toFixed(1)} s; station CPU ${((fillCpu / job.messages) * 1e6).toFixed(0)} µs each), ` +
      `inbox depth ${depthAfterFill}`,
  );

  // Drain: the receiver logs in; every message arrives once and is acknowledged at once.
  const received = new Set<string>();
  let duplicates = 0;
  let unknown = 0;
  let last = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const onPayload = (data: Buffer) => {
    if (senderOf(data) === stationId) return;
    const signature = signatureOf(data);
    if (signature === undefined || !sent.has(signature)) unknown++;
    else if (received.has(signature)) duplicates++;
    else received.add(signature);
    if (received.size === job.messages) {
      last = performance.now();
      done();
    }
  };
  const drainCpu0 = cpuSeconds(job.pid);
  const login0 = performance.now();
  const conn = await BenchConnection.open(benchUser(receiver!), { port: job.port, onPayload });
  const login1 = performance.now();
  await Promise.race([all, sleep(Math.max(60_000, job.messages))]);
  const drainSeconds = ((last || performance.now()) - login1) / 1000;
  const drainCpu = cpuSeconds(job.pid) - drainCpu0;
  // ACKed items are removed in batches after the ACK: wait for the inbox to read empty.
  let depth = NaN;
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    depth = metricValue(await httpGet(job.port, '/metrics'), 'dim_station_inbox_depth');
    if (depth === 0) break;
    await sleep(50);
  }
  const emptySeconds = (performance.now() - login1) / 1000;
  conn.close();
  return {
    messages: job.messages,
    fillSeconds,
    fillRate: job.messages / fillSeconds,
    fillCpuPerMessage: fillCpu / job.messages,
    drainCpuPerMessage: drainCpu / job.messages,
    depthAfterFill,
    receipts,
    loginSeconds: (login1 - login0) / 1000,
    received: received.size,
    duplicates,
    unknown,
    drainSeconds,
    drainRate: received.size / drainSeconds,
    depthAfterDrain: depth,
    emptySeconds,
  };
}

// ---------------------------------------------------------------------------------------------------------

process.once('message', (job: Job) => {
  const run = job.kind === 'relay' ? relay(job) : job.kind === 'idle' ? idle(job) : drain(job);
  run.then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) =>
      process.send!({ ok: false, error: String((error as Error)?.stack ?? error) }, () => process.exit(1)),
  );
});
