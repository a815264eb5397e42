// `npm run bench -- station` (issue 3, item 8): the station under load, each part ending with one JSON line.
//   (a) relay: 200 handshaken WebSocket users send ~1 KiB messages to each other through `dim station`, and the
//       same load through a bare `ws` relay in the same run, in alternating slices; messages/s, p50/p99
//       latency, and the ratio (acceptance: >= 0.5);
//   (b) idle: station RSS per handshaken connection at 10k and 50k connections (from several 127.x.y.z
//       source addresses; capped by the hard open-file limit, which is reported);
//   (c) drain: 100k messages sent to an offline user, then delivered on its login; messages/s, exact count.
// The station, the baseline relay and the load generator are separate processes. `BENCH_QUICK=1` (or
// `--quick` when run directly) shrinks every size for a smoke run. Figures are recorded in docs/benchmarks.md.
import { once } from 'node:events';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { HERE, hardFileLimit, httpGet, median, spawnNode, startStation, type StationProcess } from './_station-lib.js';
import type { DrainJob, IdleJob, IdleStep, Job, RelayJob, RelaySideResult } from './_station-load.js';

const QUICK = process.env['BENCH_QUICK'] === '1' || process.argv.includes('--quick');
/** Which parts to run (comma-separated: relay, idle, drain); all by default. */
const PARTS = (process.env['BENCH_STATION'] ?? 'relay,idle,drain').split(',');
/** Issue 3 acceptance: the station relays at least half as many messages per second as a bare `ws` relay. */
const THRESHOLD = 0.5;

const LOAD = join(HERE, '_station-load.js');
const BASELINE = join(HERE, '_station-baseline.js');

const machine = {
  node: process.version,
  cpus: availableParallelism(),
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  date: new Date().toISOString(),
  quick: QUICK,
};

/** Runs one job in a fresh load-generator process and returns its result. */
async function runJob<T>(job: Job, nofile: number): Promise<T> {
  // BENCH_LOAD_NODE_ARGS go to the generator's node only (e.g. `--cpu-prof`), as BENCH_STATION_NODE_ARGS to the station's.
  const nodeArgs = (process.env['BENCH_LOAD_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const child: ChildProcess = spawnNode(LOAD, [], { ipc: true, nofile, nodeArgs });
  const reply = new Promise<T>((resolve, reject) => {
    child.once('message', (message: { ok: boolean; result?: T; error?: string }) => {
      if (message.ok) resolve(message.result!);
      else reject(new Error(`load generator: ${message.error}`));
    });
    child.once('exit', (code) => reject(new Error(`load generator exited (${code}) without a result`)));
  });
  child.send(job);
  const exited = once(child, 'exit');
  try {
    return await reply;
  } finally {
    // The generator exits by itself after its reply (writing a --cpu-prof profile on the way out).
    const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

/** Starts a baseline relay; resolves once it printed its port (and receipt signer ID). */
async function startBaseline(args: readonly string[]): Promise<{ child: ChildProcess; port: number; id: string }> {
  const child = spawnNode(BASELINE, args, { stdout: 'pipe' });
  let text = '';
  for await (const chunk of child.stdout! as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.includes('\n')) break;
  }
  child.stdout!.resume();
  const { port, id } = JSON.parse(text) as { port: number; id: string };
  return { child, port, id };
}

async function relayBench(): Promise<boolean> {
  console.log('(a) relay: dim station vs a bare ws relay (and, for information, a bare relay that seals receipts)');
  const station = await startStation({}, 4096);
  const bare = await startBaseline([]);
  const receipting = await startBaseline(['--receipts']);
  let pass = false;
  try {
    const job: RelayJob = {
      kind: 'relay',
      sides: [
        { name: 'station', kind: 'station', port: station.port, pid: station.pid, receipts: true },
        { name: 'ws', kind: 'ws', port: bare.port, pid: bare.child.pid!, receipts: false },
        {
          name: 'ws+receipts',
          kind: 'ws',
          port: receipting.port,
          pid: receipting.child.pid!,
          receipts: true,
          receiptsFrom: receipting.id,
        },
      ],
      clients: QUICK ? 50 : 200,
      peerOffsets: [1, 3, 7, 15],
      poolPerPeer: 8,
      window: 4,
      rounds: QUICK ? 2 : 5,
      sliceMs: QUICK ? 1500 : 4000,
      settleMs: QUICK ? 300 : 700,
      warmupMs: QUICK ? 1000 : 2500,
      frameBytes: 1024,
      pacedFraction: 0.25,
      pacedMs: QUICK ? 1500 : 3000,
    };
    const r = await runJob<{ frameBytes: [number, number]; sides: RelaySideResult[]; unexpected: number }>(job, 4096);
    const [st, ws, wsr] = r.sides as [RelaySideResult, RelaySideResult, RelaySideResult];
    for (const s of r.sides) {
      console.log(
        `  ${s.name.padEnd(11)} ${String(Math.round(s.rate)).padStart(6)} msg/s  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  ` +
          `relay CPU ${Math.round(s.relayCpu * 100)}% = ${s.cpuPerMessageUs.toFixed(1)} µs/msg, ` +
          `generator CPU ${Math.round(s.loadCpu * 100)}%  (rounds: ${s.rates.join(', ')})`,
      );
    }
    for (const s of r.sides) {
      const p = s.paced!;
      console.log(
        `  ${s.name.padEnd(11)} paced at ${p.rate} msg/s: p50 ${ms(p.p50)}  p99 ${ms(p.p99)}  max ${ms(p.max)}`,
      );
    }
    // Every relayed message should have gone out live: none through the inbox, none refused.
    const metrics = await httpGet(station.port, '/metrics');
    const sumOf = (name: string) =>
      metrics
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    const inboxWrites = sumOf('dim_station_inbox_total');
    const refusals = sumOf('dim_station_refusals_total');
    const per = (a: RelaySideResult, b: RelaySideResult) => a.rates.map((x, i) => x / b.rates[i]!);
    const ratios = per(st, ws);
    const ratio = median(ratios);
    const vsReceipts = median(per(st, wsr));
    const complete =
      r.sides.every((s) => s.lost === 0) &&
      st.receipts === st.sent &&
      r.unexpected === 0 &&
      inboxWrites === 0 &&
      refusals === 0;
    pass = ratio >= THRESHOLD && complete;
    console.log(
      `  ${pass ? 'PASS' : 'FAIL'}: station / ws = ${ratio.toFixed(3)} (rounds ${ratios.map((x) => x.toFixed(2)).join(', ')}; ` +
        `threshold ${THRESHOLD}); CPU per message ${(st.cpuPerMessageUs / ws.cpuPerMessageUs).toFixed(1)}x the bare relay's`,
    );
    console.log(
      `  for information: station / ws+receipts = ${vsReceipts.toFixed(3)}; ` +
        `lost ${r.sides.map((s) => s.lost).join('/')}, station receipts ${st.receipts}/${st.sent}, ` +
        `unexpected ${r.unexpected}, station inbox writes ${inboxWrites}, refusals ${refusals}`,
    );
    const side = (s: RelaySideResult) => ({
      msgsPerSec: Math.round(s.rate),
      perRound: s.rates,
      p50Ms: round(s.p50, 2),
      p99Ms: round(s.p99, 2),
      relayCpu: round(s.relayCpu, 2),
      cpuUsPerMsg: round(s.cpuPerMessageUs, 1),
      loadGenCpu: round(s.loadCpu, 2),
      sent: s.sent,
      receipts: s.receipts,
      lost: s.lost,
      paced: {
        msgsPerSec: s.paced!.rate,
        p50Ms: round(s.paced!.p50, 2),
        p99Ms: round(s.paced!.p99, 2),
        maxMs: round(s.paced!.max, 2),
      },
    });
    console.log(
      JSON.stringify({
        bench: 'station-relay',
        ...machine,
        clients: job.clients,
        frameBytes: r.frameBytes,
        windowPerClient: job.window,
        rounds: job.rounds,
        sliceMs: job.sliceMs,
        station: side(st),
        ws: side(ws),
        wsReceipts: side(wsr),
        stationInboxWrites: inboxWrites,
        stationRefusals: refusals,
        ratio: round(ratio, 3),
        ratioVsWsReceipts: round(vsReceipts, 3),
        threshold: THRESHOLD,
        pass,
      }),
    );
  } finally {
    bare.child.kill('SIGTERM');
    receipting.child.kill('SIGTERM');
    await station.stop();
  }
  return pass;
}

async function idleBench(): Promise<boolean> {
  const hard = hardFileLimit();
  const wanted = QUICK ? [1000, 2000] : [10_000, 50_000];
  // Both the station and the generator hold one descriptor per connection; keep 1000 spare for each.
  const cap = Math.floor((hard - 1000) / 1000) * 1000;
  const steps = [...new Set(wanted.map((n) => Math.min(n, cap)))];
  console.log(`(b) idle connections: ${steps.join(', ')} (wanted ${wanted.join(', ')}; hard open-file limit ${hard})`);
  if (steps.some((n, i) => n !== wanted[i])) {
    console.log(
      `  the hard limit (ulimit -Hn = ${hard}) caps one process at ${cap} connections: the largest step runs at ${cap}`,
    );
  }
  const perAddress = 2000;
  const station = await startStation({ transport: { maxConnectionsPerIp: perAddress + 100 } }, hard);
  let pass = false;
  try {
    const job: IdleJob = {
      kind: 'idle',
      port: station.port,
      pid: station.pid,
      steps,
      users: 16,
      perAddress,
      concurrency: 64,
      settleMs: QUICK ? 1000 : 3000,
    };
    const r = await runJob<{ rss0: number; steps: IdleStep[] }>(job, hard);
    pass = r.steps.length === steps.length && r.steps.every((s, i) => s.failed === 0 && s.connections === steps[i]);
    console.log(
      JSON.stringify({
        bench: 'station-idle',
        ...machine,
        nofileHard: hard,
        wanted,
        users: job.users,
        connectionsPerSourceAddress: perAddress,
        rssBeforeMiB: round(r.rss0 / 2 ** 20, 1),
        steps: r.steps.map((s) => ({
          connections: s.connections,
          rssMiB: round(s.rss / 2 ** 20, 1),
          perConnectionKiB: round(s.perConnection / 1024, 2),
          handshakesPerSec: Math.round(s.handshakesPerSecond),
          stationCpuMsPerHandshake: round(s.cpuPerHandshake * 1000, 3),
          failed: s.failed,
        })),
        pass,
      }),
    );
  } finally {
    await station.stop();
  }
  return pass;
}

async function drainBench(): Promise<boolean> {
  const messages = QUICK ? 10_000 : 100_000;
  console.log(`(c) inbox drain: ${messages} messages for one offline user, delivered on login`);
  const station: StationProcess = await startStation({ inbox: { maxPerReceiver: messages + 1000 } }, 4096);
  let pass = false;
  try {
    const job: DrainJob = {
      kind: 'drain',
      port: station.port,
      pid: station.pid,
      messages,
      frameBytes: 1024,
      window: 256,
    };
    const r = await runJob<{
      messages: number;
      fillSeconds: number;
      fillRate: number;
      fillCpuPerMessage: number;
      drainCpuPerMessage: number;
      depthAfterFill: number;
      receipts: number;
      loginSeconds: number;
      received: number;
      duplicates: number;
      unknown: number;
      drainSeconds: number;
      drainRate: number;
      depthAfterDrain: number;
      emptySeconds: number;
    }>(job, 4096);
    pass =
      r.depthAfterFill === messages &&
      r.received === messages &&
      r.duplicates === 0 &&
      r.unknown === 0 &&
      r.depthAfterDrain === 0;
    console.log(
      `  drained ${r.received}/${messages} in ${r.drainSeconds.toFixed(2)} s after DIM!: ${Math.round(r.drainRate)} msg/s ` +
        `(station CPU ${Math.round(r.drainCpuPerMessage * 1e6)} µs each) ` +
        `(duplicates ${r.duplicates}, unknown ${r.unknown}); inbox empty on disk after ${r.emptySeconds.toFixed(2)} s ` +
        `(depth ${r.depthAfterDrain}) — ${pass ? 'PASS' : 'FAIL'}`,
    );
    console.log(
      JSON.stringify({
        bench: 'station-drain',
        ...machine,
        messages,
        frameBytes: job.frameBytes,
        fill: {
          seconds: round(r.fillSeconds, 2),
          msgsPerSec: Math.round(r.fillRate),
          stationCpuUsPerMsg: Math.round(r.fillCpuPerMessage * 1e6),
          inboxDepth: r.depthAfterFill,
        },
        drain: {
          seconds: round(r.drainSeconds, 2),
          msgsPerSec: Math.round(r.drainRate),
          stationCpuUsPerMsg: Math.round(r.drainCpuPerMessage * 1e6),
          received: r.received,
          duplicates: r.duplicates,
          unknown: r.unknown,
          inboxEmptyAfterSeconds: round(r.emptySeconds, 2),
          inboxDepthAfter: r.depthAfterDrain,
        },
        pass,
      }),
    );
  } finally {
    await station.stop();
  }
  return pass;
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `station bench${QUICK ? ' (quick)' : ''}: node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ` +
      `${machine.memoryGiB} GiB, load average ${machine.loadAverage.join(' ')}, ${machine.date}`,
  );
  let ok = true;
  if (PARTS.includes('relay')) ok = (await relayBench()) && ok;
  if (PARTS.includes('idle')) ok = (await idleBench()) && ok;
  if (PARTS.includes('drain')) ok = (await drainBench()) && ok;
  console.log(
    `station bench: ${ok ? 'all passed' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  if (!ok) process.exitCode = 1;
}

await main();
