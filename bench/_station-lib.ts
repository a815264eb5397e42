// Process plumbing shared by the station benchmark (bench/station.ts) and its child processes: starting a
// `dim station` or a helper with a raised open-file limit, reading a process's RSS and CPU time from /proc,
// and percentiles. Not a benchmark itself (the runner skips `_` files).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the runner starts benchmarks there; this also works from the transpiled copy). */
export const ROOT = process.cwd();
/** The built CLI (`npm run bench` builds first); BENCH_STATION_CLI runs another build of it (experiments). */
export const DIM_CLI = process.env['BENCH_STATION_CLI'] ?? join(ROOT, 'packages', 'client', 'dist', 'cli', 'main.js');
/** This directory: the transpiled helpers sit beside this file. */
export const HERE = dirname(fileURLToPath(import.meta.url));

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux we run on, asked once). */
const CLK_TCK = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(out.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
})();

/** The hard open-file limit of this shell's children (what `ulimit -n` can be raised to without privileges). */
export function hardFileLimit(): number {
  const out = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' });
  const text = out.stdout.trim();
  return text === 'unlimited' ? 1 << 20 : Number(text);
}

/** Starts `node [nodeArgs] <script> ...args` with the open-file limit raised to `nofile` (capped at the hard limit). */
export function spawnNode(
  script: string,
  args: readonly string[],
  options: {
    nofile?: number;
    ipc?: boolean;
    stdout?: 'pipe' | 'inherit' | 'ignore';
    nodeArgs?: readonly string[];
  } = {},
): ChildProcess {
  const nofile = options.nofile ?? 0;
  // `ulimit -n` fails above the hard limit without CAP_SYS_RESOURCE: fall back to the hard limit.
  const raise = nofile > 0 ? `ulimit -n ${nofile} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ` : '';
  const stdio: ('pipe' | 'inherit' | 'ignore' | 'ipc')[] = ['ignore', options.stdout ?? 'inherit', 'inherit'];
  if (options.ipc === true) stdio.push('ipc');
  return spawn('sh', ['-c', `${raise}exec "$0" "$@"`, process.execPath, ...(options.nodeArgs ?? []), script, ...args], {
    stdio,
    cwd: ROOT,
  });
}

/** VmRSS of a process, in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** The p-th percentile (0..100) of ascending `sorted`, nearest rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A station started with `dim station --config` in a temporary data directory. */
export interface StationProcess {
  readonly pid: number;
  readonly port: number;
  readonly dataDir: string;
  /** SIGTERM (the station drains), wait for the exit, remove the data directory. */
  stop(): Promise<void>;
}

/**
 * Starts `dim station` (the built CLI) on 127.0.0.1 and a free port with `config` (a station config file
 * object) in a fresh data directory, at log level `info` as an operator would run it; its JSON log lines
 * are read until "station listening" and discarded after.
 */
export async function startStation(config: Record<string, unknown>, nofile: number): Promise<StationProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dim-bench-station-'));
  const file = join(dataDir, 'config.json');
  // BENCH_STATION_CONFIG (JSON) is merged over every part's config, section by section (experiments).
  const extra = JSON.parse(process.env['BENCH_STATION_CONFIG'] ?? '{}') as Record<string, unknown>;
  const merged: Record<string, unknown> = { host: '127.0.0.1', port: 0, dataDir, logLevel: 'info', ...config };
  for (const [key, value] of Object.entries(extra)) {
    const base = merged[key];
    merged[key] =
      typeof value === 'object' && value !== null && typeof base === 'object' && base !== null
        ? { ...base, ...value }
        : value;
  }
  writeFileSync(file, JSON.stringify(merged));
  // BENCH_STATION_NODE_ARGS go to the station's node only (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
  const nodeArgs = (process.env['BENCH_STATION_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
  const child = spawnNode(DIM_CLI, ['station', '--config', file], { nofile, stdout: 'pipe', nodeArgs });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        if (!line.includes('"station listening"')) continue;
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve((JSON.parse(line) as { port: number }).port);
        return;
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`dim station exited (${code}) before listening`)));
  });
  // Keep draining the logs so the station never blocks on a full pipe.
  child.stdout!.on('data', () => {});
  return {
    pid: child.pid!,
    port,
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** GET http://127.0.0.1:<port><path> as text. */
export function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** The value of one series in Prometheus text (0 when absent). */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return 0;
}

/** Removes a directory tree, ignoring errors. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
