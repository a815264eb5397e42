// Runs the built `dim` (dist/: `npm test` builds first) as child processes for the CLI tests, and cleans up
// after each test: every process it started is killed, every temp directory removed after the file.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect } from 'vitest';

export const DIM = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export type JsonLine = Record<string, unknown>;

const children = new Set<ChildProcess>();
const dirs: string[] = [];

afterEach(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'dim-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Runs `dim` to completion. */
export function dim(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [DIM, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), stdout, stderr });
      },
    );
    children.add(child);
  });
}

/** Runs `dim`, expects exit 0 and one JSON document on stdout. */
export async function dimJson(args: string[], env: NodeJS.ProcessEnv = {}): Promise<JsonLine> {
  const run = await dim(args, env);
  expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as JsonLine;
}

/** A long-running `dim` process whose stdout JSON lines are collected. */
export class Lines {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [DIM, ...args], { env: { ...process.env, ...env } });
    children.add(this.child);
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.lines.push(line));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  json(): JsonLine[] {
    return this.lines.map((l) => JSON.parse(l) as JsonLine);
  }

  async waitFor(predicate: (event: JsonLine) => boolean, ms = 15_000): Promise<JsonLine> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.json().find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out; got ${this.lines.join('\n')}\nstderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** SIGINT, then the exit code. */
  async interrupt(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGINT');
    return exited;
  }
}

/** `dim station` on 127.0.0.1 (port 0: a free one), once it listens. */
export async function startStation(dataDir: string, port = 0): Promise<{ process: Lines; port: number }> {
  const station = new Lines(['station', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir]);
  const listening = await station.waitFor((e) => e['msg'] === 'station listening');
  return { process: station, port: listening['port'] as number };
}

/** `dim id new` into `dir/<name>.json`. */
export async function newIdentity(
  dir: string,
  name: string,
  extra: string[] = [],
): Promise<{ file: string; id: string }> {
  const file = join(dir, `${name}.json`);
  const made = await dimJson(['id', 'new', '--name', name, '--out', file, ...extra]);
  return { file, id: made['id'] as string };
}
