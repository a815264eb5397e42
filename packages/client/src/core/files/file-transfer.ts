/**
 * Moving encrypted file bytes to and from a file service (wire spec §5.1). The SDK core builds the requests
 * and checks the answers; a `FileTransfer` does the HTTP: `httpFileTransfer` on Node (@dimkit/client/node,
 * with upload and download progress), `fetchFileTransfer` anywhere `fetch` exists.
 */

/** Progress of one transfer: bytes done so far and the total when known. */
export type ProgressListener = (done: number, total: number | undefined) => void;

/** An upload as prepared by `prepareUpload`: where to post, the bytes, and the signed headers. */
export interface UploadRequest {
  /** `<service>/upload?filename=…`. */
  readonly url: string;
  /** The encrypted bytes. */
  readonly body: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
}

/** What the file service answered. */
export interface UploadResult {
  /** Where receivers download the file. */
  readonly url: string;
  /** The stored name (hex SHA-256 of the bytes, plus the extension). */
  readonly name?: string;
}

export interface DownloadOptions {
  readonly onProgress?: ProgressListener;
  /** Refuse (DimError `file.too_large`) a download larger than this; default DEFAULT_MAX_DOWNLOAD_BYTES. */
  readonly maxBytes?: number;
}

/** Largest download accepted by default: the station's default upload limit (16 MiB) plus AES padding. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 16 * 1024 * 1024 + 16;

/**
 * Does the HTTP of file transfers. Implementations throw DimError `file.too_large` for a 413 answer or a
 * download over `maxBytes`, and `file.transfer` for any other failure (the reason in the message).
 */
export interface FileTransfer {
  upload(request: UploadRequest, onProgress?: ProgressListener): Promise<UploadResult>;
  download(url: string, options?: DownloadOptions): Promise<Uint8Array>;
}
