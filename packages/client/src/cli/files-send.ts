import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError } from '@dimkit/protocol';
import type { Identity } from '@dimkit/protocol/account';
import type { ContentOptions, FileContent } from '@dimkit/protocol/content';
import { fileKindOf } from '../core/files/file-kind.js';
import type { ProgressListener } from '../core/files/file-transfer.js';
import { uploadFile } from '../core/files/send-file.js';
import { fileServiceUrl } from '../core/files/upload-request.js';
import type { Messenger } from '../core/messenger.js';
import { httpFileTransfer } from '../node/files-http.js';
import { imageThumbnail } from '../node/files-thumbnail.js';
import { whenRunning } from './_session.js';
import { progressBar, type ProgressMode } from './files-progress.js';

/** Largest file `dim` reads to send (the station's own limit, 16 MiB by default, usually comes first). */
export const MAX_SEND_BYTES = 256 * 1024 * 1024;

export interface FileFromPathOptions {
  readonly messenger: Messenger;
  readonly identity: Identity;
  readonly station: string;
  readonly path: string;
  readonly progress: ProgressMode;
  readonly timeoutMs: number;
  readonly content?: ContentOptions;
  /** Also told of the progress (`dim chat` shows it in its status line). */
  readonly onProgress?: ProgressListener;
}

/** Reads a file for sending; DimError('cli.file') when it cannot, or is too large. */
export function readFileToSend(path: string): Uint8Array {
  let size: number;
  try {
    const info = statSync(path);
    if (!info.isFile()) throw new DimError('cli.file', `${path} is not a file`);
    size = info.size;
  } catch (cause) {
    if (cause instanceof DimError) throw cause;
    throw new DimError('cli.file', `cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (size > MAX_SEND_BYTES)
    throw new DimError('file.too_large', `${path} is ${size} bytes, more than ${MAX_SEND_BYTES}`);
  return new Uint8Array(readFileSync(path));
}

/**
 * The file content for `dim send --file` and `/file` in `dim chat`: waits for the session (the station must
 * know our meta to take the upload), encrypts, uploads with a progress bar on stderr, adds a thumbnail to
 * images it can shrink (node/files-thumbnail.ts).
 */
export async function fileContentFromPath(options: FileFromPathOptions): Promise<FileContent> {
  const data = readFileToSend(options.path);
  const filename = basename(options.path);
  await whenRunning(options.messenger, options.station, options.timeoutMs);
  const thumbnail = fileKindOf(filename) === 'image' ? imageThumbnail(data) : undefined;
  const bar = progressBar(`upload ${filename}`, options.progress);
  try {
    return await uploadFile(
      { data, filename },
      {
        transfer: httpFileTransfer(),
        service: fileServiceUrl(options.station),
        identity: options.identity,
        backend: nodeBackend,
        onProgress: (done, total) => {
          bar.listener(done, total);
          options.onProgress?.(done, total);
        },
        ...(thumbnail === undefined ? {} : { thumbnail }),
        ...(options.content === undefined ? {} : { content: options.content }),
      },
    );
  } finally {
    bar.finish();
  }
}
