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

/** The part of `XMLHttpRequest` used here (browsers; tests pass a fake). */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body?: Uint8Array | null): void;
  abort(): void;
  getResponseHeader(name: string): string | null;
  responseType: string;
  readonly status: number;
  readonly response: unknown;
  readonly responseText: string;
  readonly upload: {
    onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null;
  };
  onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null;
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
  ontimeout: (() => void) | null;
  timeout: number;
}

export interface XhrFileTransferOptions {
  /** Default `globalThis.XMLHttpRequest`. */
  readonly XMLHttpRequest?: new () => XhrLike;
  /** A transfer with no progress for this long fails (ms; default 0 = none, the browser's own limits apply). */
  readonly timeoutMs?: number;
}

function failed(what: string, url: string): DimError {
  return new DimError('file.transfer', `${what} ${url} failed: network error`);
}

/**
 * A `FileTransfer` on XMLHttpRequest, for browsers: unlike `fetch`, it reports upload progress (a progress
 * bar while a photo leaves), and download progress as bytes arrive. A download larger than `maxBytes` (by its
 * declared length or as it streams) is aborted with DimError `file.too_large`; other failures are
 * `file.transfer`. Throws TypeError when no XMLHttpRequest class is available.
 */
export function xhrFileTransfer(options: XhrFileTransferOptions = {}): FileTransfer {
  const Xhr =
    options.XMLHttpRequest ?? (globalThis as { XMLHttpRequest?: new () => XhrLike }).XMLHttpRequest ?? undefined;
  if (Xhr === undefined) throw new TypeError('xhrFileTransfer: no XMLHttpRequest available');
  const timeout = options.timeoutMs ?? 0;

  return {
    upload(request: UploadRequest, onProgress?: ProgressListener): Promise<UploadResult> {
      return new Promise((resolve, reject) => {
        const xhr = new Xhr();
        xhr.open('POST', request.url);
        xhr.timeout = timeout;
        for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
        xhr.responseType = 'text';
        const total = request.body.length;
        xhr.upload.onprogress = (event) => onProgress?.(event.loaded, total);
        xhr.onload = () => {
          try {
            const result = readUploadAnswer(xhr.status, xhr.responseText, request.url);
            onProgress?.(total, total);
            resolve(result);
          } catch (error) {
            reject(error);
          }
        };
        xhr.onerror = xhr.ontimeout = xhr.onabort = () => reject(failed('upload to', request.url));
        onProgress?.(0, total);
        xhr.send(request.body);
      });
    },

    download(url: string, downloadOptions: DownloadOptions = {}): Promise<Uint8Array> {
      const max = downloadOptions.maxBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
      const onProgress = downloadOptions.onProgress;
      return new Promise((resolve, reject) => {
        const xhr = new Xhr();
        let refused: DimError | undefined;
        xhr.open('GET', url);
        xhr.timeout = timeout;
        xhr.responseType = 'arraybuffer';
        xhr.onprogress = (event) => {
          const total = event.lengthComputable ? event.total : undefined;
          if ((total !== undefined && total > max) || event.loaded > max) {
            refused = new DimError('file.too_large', `download of ${url}: more than ${max} bytes`);
            xhr.abort();
            return;
          }
          onProgress?.(event.loaded, total);
        };
        xhr.onload = () => {
          if (xhr.status !== 200) {
            reject(new DimError('file.transfer', `download of ${url}: HTTP ${xhr.status}`));
            return;
          }
          const body = xhr.response;
          if (!(body instanceof ArrayBuffer)) {
            reject(new DimError('file.transfer', `download of ${url}: no body`));
            return;
          }
          if (body.byteLength > max) {
            reject(new DimError('file.too_large', `download of ${url}: more than ${max} bytes`));
            return;
          }
          onProgress?.(body.byteLength, body.byteLength);
          resolve(new Uint8Array(body));
        };
        xhr.onerror = xhr.ontimeout = () => reject(failed('download of', url));
        xhr.onabort = () => reject(refused ?? failed('download of', url));
        onProgress?.(0, undefined);
        xhr.send(null);
      });
    },
  };
}
