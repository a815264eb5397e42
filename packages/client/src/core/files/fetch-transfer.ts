import { DimError } from '@dimkit/protocol';
import {
  DEFAULT_MAX_DOWNLOAD_BYTES,
  type DownloadOptions,
  type FileTransfer,
  type ProgressListener,
  type UploadRequest,
  type UploadResult,
} from './file-transfer.js';

/** The answer of a file service to an upload: `{URL, name}` (2xx) or `{error}`. */
export function readUploadAnswer(status: number, text: string, url: string): UploadResult {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (status === 413) throw new DimError('file.too_large', `the file service ${url} refused the file as too large`);
  if (status < 200 || status > 299) {
    const error = typeof record['error'] === 'string' ? record['error'] : 'no reason given';
    throw new DimError('file.transfer', `upload to ${url} refused: HTTP ${status} (${error})`);
  }
  const location = record['URL'];
  if (typeof location !== 'string' || !/^https?:\/\//i.test(location)) {
    throw new DimError('file.transfer', `upload to ${url}: the answer names no URL`);
  }
  return typeof record['name'] === 'string' ? { url: location, name: record['name'] } : { url: location };
}

/**
 * A `FileTransfer` on `fetch` (browsers, Deno, Node): downloads report progress as the body streams in;
 * `fetch` cannot report upload progress, so an upload reports 0 when it starts and the total when answered.
 */
export function fetchFileTransfer(fetchFn: typeof fetch = globalThis.fetch): FileTransfer {
  return {
    async upload(request: UploadRequest, onProgress?: ProgressListener): Promise<UploadResult> {
      onProgress?.(0, request.body.length);
      let res: Response;
      try {
        res = await fetchFn(request.url, {
          method: 'POST',
          headers: { ...request.headers },
          body: request.body as Uint8Array<ArrayBuffer>,
        });
      } catch (cause) {
        throw new DimError('file.transfer', `upload to ${request.url} failed: ${(cause as Error).message}`, { cause });
      }
      const result = readUploadAnswer(res.status, await res.text(), request.url);
      onProgress?.(request.body.length, request.body.length);
      return result;
    },

    async download(url: string, options: DownloadOptions = {}): Promise<Uint8Array> {
      const max = options.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
      let res: Response;
      try {
        res = await fetchFn(url);
      } catch (cause) {
        throw new DimError('file.transfer', `download of ${url} failed: ${(cause as Error).message}`, { cause });
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new DimError('file.transfer', `download of ${url}: HTTP ${res.status}`);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      const total = Number.isFinite(declared) ? declared : undefined;
      if (total !== undefined && total > max) {
        await res.body?.cancel();
        throw new DimError('file.too_large', `download of ${url}: ${total} bytes, more than ${max}`);
      }
      const chunks: Uint8Array[] = [];
      let done = 0;
      options.onProgress?.(0, total);
      const reader = res.body!.getReader();
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        done += value.length;
        if (done > max) {
          await reader.cancel();
          throw new DimError('file.too_large', `download of ${url}: more than ${max} bytes`);
        }
        chunks.push(value);
        options.onProgress?.(done, total);
      }
      const out = new Uint8Array(done);
      let at = 0;
      for (const chunk of chunks) {
        out.set(chunk, at);
        at += chunk.length;
      }
      return out;
    },
  };
}
