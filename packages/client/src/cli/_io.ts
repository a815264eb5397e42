import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { DimError } from '@dimkit/protocol';

/** Largest file or stdin the CLI reads (identity, group, message files are small). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DimError(
      'cli.file',
      `cannot read ${what} file ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  if (text.length > MAX_INPUT_BYTES) throw new DimError('cli.file', `${what} file ${path} is too large`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DimError('cli.file', `${what} file ${path} is not valid JSON`);
  }
}

/**
 * Writes a file atomically (temp file + rename), private by default (identity files hold private
 * keys). Refuses to overwrite unless `force`.
 */
export function writeFileAtomic(path: string, text: string, options: { force?: boolean; mode?: number } = {}): void {
  if (!options.force && existsSync(path)) throw new DimError('cli.file', `${path} exists (use --force to overwrite)`);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: options.mode ?? 0o600 });
  renameSync(temp, path);
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_INPUT_BYTES) throw new DimError('cli.usage', `standard input exceeds ${MAX_INPUT_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
