// Runs the real `dim` command line (packages/client/src/cli/main.ts) as a child process. It is bundled from
// the TypeScript sources with esbuild (vitest's own transformer), so the test needs no `npm run build`;
// installed packages stay external and resolve from the repository's node_modules.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
// Inside node_modules, so the bundle's bare imports resolve from the repository's node_modules.
const outDir = join(repoRoot, 'node_modules', '.cache', 'dimkit-station-test');

let bundled: Promise<string> | undefined;

/** Bundles the CLI once per test process; answers the bundle's path. */
export function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    mkdirSync(outDir, { recursive: true });
    const outfile = join(outDir, `dim-${process.pid}.mjs`);
    await build({
      entryPoints: [join(repoRoot, 'packages/client/src/cli/main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
      packages: 'external',
      alias: {
        '@dimkit/protocol': join(repoRoot, 'packages/protocol/src'),
        '@dimkit/crypto-node': join(repoRoot, 'packages/crypto-node/src'),
        '@dimkit/station': join(repoRoot, 'packages/station/src'),
      },
    });
    return outfile;
  })();
  return bundled;
}

export interface StationProcess {
  readonly child: ChildProcess;
  /** Every JSON log line so far. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the port from the "station listening" line. */
  readonly listening: Promise<number>;
  /** Resolves with (code, signal) when the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Starts `dim station …args`. */
export async function spawnStation(args: readonly string[]): Promise<StationProcess> {
  const bundle = await cliBundle();
  const child = spawn(process.execPath, [bundle, 'station', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let err = '';
  let buffer = '';
  let onListening: (port: number) => void = () => {};
  let onFailed: (error: Error) => void = () => {};
  const listening = new Promise<number>((resolve, reject) => {
    onListening = resolve;
    onFailed = reject;
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        const json = JSON.parse(line) as Record<string, unknown>;
        lines.push(json);
        if (json['msg'] === 'station listening') onListening(Number(json['port']));
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      onFailed(new Error(`station exited (${code ?? signal}) before listening: ${err}`));
      resolve({ code, signal });
    });
  });
  return { child, lines, listening, exited, stderr: () => err };
}
