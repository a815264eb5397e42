import { DimError } from '@dimkit/protocol';
import type { FileContent } from '@dimkit/protocol/content';
import type { CryptoBackend } from '@dimkit/protocol/crypto';
import { decodeBase64 } from '@dimkit/protocol/encoding';
import { decryptFile } from './file-crypto.js';
import type { DownloadOptions, FileTransfer } from './file-transfer.js';
import { checkContentAddress } from './upload-request.js';

export interface DownloadFileOptions extends DownloadOptions {
  readonly transfer: FileTransfer;
  readonly backend?: CryptoBackend;
}

/**
 * The plaintext of a received file content (wire spec §5.1): inline `data` as it is, else the bytes at `URL`,
 * checked against the content address in the URL (`checkContentAddress`), then decrypted with the content's
 * key and IV (`decryptFile`). Throws DimError `content.format` (neither `data` nor `URL`), `file.transfer`,
 * `file.too_large`, `file.digest`, `key.missing`, `crypto.decrypt`.
 */
export async function downloadFile(content: FileContent, options: DownloadFileOptions): Promise<Uint8Array> {
  if (typeof content.data === 'string') return decodeBase64(content.data);
  const url = content.URL;
  if (typeof url !== 'string' || url === '') {
    throw new DimError('content.format', 'the file content has neither `data` nor `URL`');
  }
  if (!/^https?:\/\//i.test(url)) throw new DimError('content.format', `cannot download a file from ${url}`);
  const downloadOptions: DownloadOptions = {
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  };
  const ciphertext = await options.transfer.download(url, downloadOptions);
  checkContentAddress(url, ciphertext);
  return decryptFile(ciphertext, content, options.backend);
}
