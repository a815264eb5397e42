// `dim` command-line users for the web e2e tests (the built CLI, as a person would run it).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DIM, stopChild } from './_harness.js';

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `dim ARGS` to completion. */
export function dim(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DIM, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), stdout, stderr });
    });
  });
}

/** A running `dim listen`: its JSON lines, collected. */
export class Listener {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[] = [];
  stderr = '';

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [DIM, 'listen', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.stderr += `(not JSON) ${line}\n`;
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  async waitFor(predicate: (event: Record<string, unknown>) => boolean, ms = 30_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `dim listen: timed out; events:\n${this.events.map((e) => JSON.stringify(e)).join('\n')}\nstderr: ${this.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  stop(): Promise<void> {
    return stopChild(this.child, 'SIGINT');
  }
}

export interface CliUser {
  readonly name: string;
  readonly file: string;
  readonly id: string;
  readonly home: string;
}

/** `dim id new --name NAME`: an ETH identity file in `dir`, with its own profile directory. */
export async function newCliUser(dir: string, name: string): Promise<CliUser> {
  const file = join(dir, `${name.toLowerCase()}.json`);
  const result = await dim(['id', 'new', '--name', name, '--out', file]);
  if (result.code !== 0) throw new Error(`dim id new: ${result.stderr}`);
  return {
    name,
    file,
    id: (JSON.parse(result.stdout) as { id: string }).id,
    home: join(dir, `${name.toLowerCase()}-home`),
  };
}
