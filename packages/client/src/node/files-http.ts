import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DimError } from '@dimkit/protocol';
import { readUploadAnswer } from '../core/files/fetch-transfer.js';
import {
  DEFAULT_MAX_DOWNLOAD_BYTES,
  type DownloadOptions,
  type FileTransfer,
  type ProgressListener,
  type UploadRequest,
  type UploadResult,
} from '../core/files/file-transfer.js';

export interface HttpFileTransferOptions {
  /** A transfer that moves no byte for this long fails (`file.transfer`). Default 30 000 ms. */
  readonly stallTimeoutMs?: number;
  /** Upload chunk size: progress is reported per chunk. Default 64 KiB. */
  readonly chunkBytes?: number;
}

const MAX_ANSWER_BYTES = 64 * 1024;

function open(url: string, options: RequestOptions): ReturnType<typeof httpRequest> {
  const parsed = new URL(url);
  if (parsed.protocol === 'http:') return httpRequest(parsed, options);
  if (parsed.protocol === 'https:') return httpsRequest(parsed, options);
  throw new DimError('file.transfer', `not an http(s) URL: ${url}`);
}

function transferError(what: string, url: string, cause: unknown): DimError {
  if (cause instanceof DimError) return cause;
  const code = (cause as NodeJS.ErrnoException).code;
  return new DimError('file.transfer', `${what} ${url} failed: ${code ?? (cause as Error).message}`, { cause });
}

/**
 * A `FileTransfer` on node:http/https with progress both ways: an upload is written in chunks (progress as
 * each is handed to the socket; an early answer such as 413 stops the writing), a download streams with its
 * size checked (declared and counted) against `maxBytes`.
 */
export function httpFileTransfer(options: HttpFileTransferOptions = {}): FileTransfer {
  const stallMs = options.stallTimeoutMs ?? 30_000;
  const chunkBytes = options.chunkBytes ?? 64 * 1024;

  function upload(request: UploadRequest, onProgress?: ProgressListener): Promise<UploadResult> {
    return new Promise((resolve, reject) => {
      const total = request.body.length;
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        fn();
      };
      const req = open(request.url, {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(total) },
      });
      req.setTimeout(stallMs, () => req.destroy(new DimError('file.transfer', `upload stalled for ${stallMs} ms`)));
      req.on('error', (cause) => finish(() => reject(transferError('upload to', request.url, cause))));
      let answered = false;
      req.on('response', (res: IncomingMessage) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_ANSWER_BYTES) text += chunk;
        });
        res.on('end', () =>
          finish(() => {
            try {
              const result = readUploadAnswer(res.statusCode ?? 0, text, request.url);
              onProgress?.(total, total);
              resolve(result);
            } catch (error) {
              reject(error);
            }
          }),
        );
        res.on('error', (cause) => finish(() => reject(transferError('upload to', request.url, cause))));
      });
      onProgress?.(0, total);
      let offset = 0;
      const pump = () => {
        while (offset < total && !answered && !req.destroyed) {
          const end = Math.min(total, offset + chunkBytes);
          const chunk = request.body.subarray(offset, end);
          offset = end;
          const done = offset;
          const more = req.write(chunk, () => {
            if (!answered && done < total) onProgress?.(done, total);
          });
          if (!more) {
            req.once('drain', pump);
            return;
          }
        }
        if (offset >= total || answered) req.end();
      };
      pump();
    });
  }

  function download(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
    const max = options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(transferError('download of', url, error));
      };
      const req = open(url, { method: 'GET' });
      req.setTimeout(stallMs, () =>
        fail(new DimError('file.transfer', `download of ${url} stalled for ${stallMs} ms`)),
      );
      req.on('error', fail);
      req.on('response', (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          return fail(new DimError('file.transfer', `download of ${url}: HTTP ${res.statusCode}`));
        }
        const declared = Number(res.headers['content-length'] ?? NaN);
        const total = Number.isFinite(declared) ? declared : undefined;
        if (total !== undefined && total > max) {
          return fail(new DimError('file.too_large', `download of ${url}: ${total} bytes, more than ${max}`));
        }
        const chunks: Buffer[] = [];
        let done = 0;
        options.onProgress?.(0, total);
        res.on('data', (chunk: Buffer) => {
          done += chunk.length;
          if (done > max) return fail(new DimError('file.too_large', `download of ${url}: more than ${max} bytes`));
          chunks.push(chunk);
          options.onProgress?.(done, total);
        });
        res.on('error', fail);
        res.on('end', () => {
          if (settled) return;
          if (total !== undefined && done !== total) {
            return fail(new DimError('file.transfer', `download of ${url}: ${done} of ${total} bytes`));
          }
          settled = true;
          resolve(new Uint8Array(Buffer.concat(chunks)));
        });
      });
      req.end();
    });
  }

  return { upload, download };
}
