import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError } from '@dimkit/protocol';
import { isFileContent, type FileContent } from '@dimkit/protocol/content';
import type { ClientStore, StoredMessage } from '../core/client-store.js';
import type { ProgressListener } from '../core/files/file-transfer.js';
import { downloadFile } from '../core/files/receive-file.js';
import { DEFAULT_HOME } from '../node/profile.js';
import { httpFileTransfer } from '../node/files-http.js';
import { openProfileFrom, type ProfileFlags } from './_session.js';
import { formatBytes, progressBar, PROGRESS_MODES, type ProgressMode } from './files-progress.js';

/** A received file name made safe to write: no directories, no control characters, no leading dot. */
export function safeFileName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .replace(/^\.+/, '')
    .trim()
    .slice(0, 200);
  return clean === '' ? fallback : clean;
}

/** `name`, else `name (1)`, `name (2)`, … : the first that does not exist in `dir`. */
function freeName(dir: string, name: string): string {
  if (!existsSync(join(dir, name))) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 1; ; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!existsSync(join(dir, candidate))) return candidate;
  }
}

/** Every stored message (both directions) that carries a file, oldest first. */
export async function fileMessages(store: ClientStore): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  for (const conversation of await store.listConversations()) {
    let before: number | undefined;
    for (;;) {
      const page = await store.listMessages(conversation.id, {
        limit: 500,
        ...(before === undefined ? {} : { before }),
      });
      out.push(...page.filter((m) => isFileContent(m.content)));
      if (page.length < 500) break;
      before = page[0]!.id;
    }
  }
  return out.sort((a, b) => a.id - b.id);
}

export interface SaveOptions {
  /** A directory (the file keeps its name) or, when it does not exist and ends in no `/`, the file path. */
  readonly out: string;
  readonly force?: boolean;
  readonly progress: ProgressMode;
  /** Also told of the progress. */
  readonly onProgress?: ProgressListener;
}

/** Downloads, checks and decrypts a file content and writes it (atomically); answers the path written. */
export async function saveFile(content: FileContent, messageId: number, options: SaveOptions): Promise<string> {
  const isDir = existsSync(options.out) ? statSync(options.out).isDirectory() : options.out.endsWith('/');
  if (isDir) mkdirSync(options.out, { recursive: true });
  const name = safeFileName(content.filename, `file-${messageId}`);
  const target = isDir ? join(options.out, options.force ? name : freeName(options.out, name)) : options.out;
  if (!isDir && !options.force && existsSync(target)) {
    throw new DimError('cli.file', `${target} exists (use --force to overwrite)`);
  }
  const bar = progressBar(`download ${name}`, options.progress);
  let data: Uint8Array;
  try {
    data = await downloadFile(content, {
      transfer: httpFileTransfer(),
      backend: nodeBackend,
      onProgress: (done, total) => {
        bar.listener(done, total);
        options.onProgress?.(done, total);
      },
    });
  } finally {
    bar.finish();
  }
  const temp = `${target}.${process.pid}.part`;
  writeFileSync(temp, data, { mode: 0o600 });
  renameSync(temp, target);
  return target;
}

interface FilesFlags extends ProfileFlags {
  out: string;
  force?: boolean;
  progress: string;
}

export function progressMode(value: string): ProgressMode {
  if (!(PROGRESS_MODES as readonly string[]).includes(value)) {
    throw new DimError('cli.usage', `--progress must be one of ${PROGRESS_MODES.join(', ')}, got "${value}"`);
  }
  return value as ProgressMode;
}

export function registerFilesCommands(program: Command): void {
  const files = program.command('files').description('files received and sent (wire spec §5.1)');

  files
    .command('list')
    .description('list the messages of the profile that carry a file, one JSON line each')
    .option('--me <file>', 'an identity file (its profile in --home)')
    .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
    .option('--profile <id>', 'which profile of --home, when it holds several')
    .action(async (flags: ProfileFlags) => {
      const store = await openProfileFrom(flags);
      try {
        for (const message of await fileMessages(store)) {
          const content = message.content as FileContent;
          process.stdout.write(
            `${JSON.stringify({
              id: message.id,
              direction: message.direction,
              sender: message.sender,
              conversation: message.conversation,
              time: message.time,
              type: content.type,
              filename: content.filename,
              length: content.length,
              URL: content.URL,
            })}\n`,
          );
        }
      } finally {
        await store.close();
      }
    });

  files
    .command('get')
    .description('download, check and decrypt the file of a stored message; prints {"id","file","bytes"}')
    .argument('<message-id>', 'the message id (from `dim listen`, `dim files list` or `dim chat`)')
    .option('--out <path>', 'a directory (the file keeps its name) or a file path', '.')
    .option('--force', 'overwrite an existing file')
    .option('--progress <mode>', 'auto (a bar on a terminal), bar, plain or none', 'auto')
    .option('--me <file>', 'an identity file (its profile in --home)')
    .option('--home <dir>', 'the profile directory', DEFAULT_HOME)
    .option('--profile <id>', 'which profile of --home, when it holds several')
    .action(async (idText: string, flags: FilesFlags) => {
      const id = Number(idText);
      if (!Number.isSafeInteger(id) || id <= 0) throw new DimError('cli.usage', `not a message id: "${idText}"`);
      const mode = progressMode(flags.progress);
      const store = await openProfileFrom(flags);
      try {
        const message = await store.getMessage(id);
        if (message === undefined) throw new DimError('cli.usage', `no message ${id} in this profile`);
        if (!isFileContent(message.content)) throw new DimError('cli.usage', `message ${id} carries no file`);
        const file = await saveFile(message.content, id, {
          out: flags.out,
          ...(flags.force === undefined ? {} : { force: flags.force }),
          progress: mode,
        });
        const bytes = statSync(file).size;
        process.stdout.write(`${JSON.stringify({ id, file, bytes })}\n`);
        if (mode !== 'none' && process.stderr.isTTY) process.stderr.write(`saved ${file} (${formatBytes(bytes)})\n`);
      } finally {
        await store.close();
      }
    });
}
