import { DimError } from '@dimkit/protocol';
import type { Identity } from '@dimkit/protocol/account';
import {
  createAudioContent,
  createFileContent,
  createImageContent,
  createVideoContent,
  type ContentOptions,
  type FileContent,
  type FileFields,
} from '@dimkit/protocol/content';
import type { CryptoBackend } from '@dimkit/protocol/crypto';
import type { StoredMessage } from '../client-store.js';
import type { Messenger } from '../messenger.js';
import { encryptFile } from './file-crypto.js';
import { fileKindOf, type FileKind } from './file-kind.js';
import type { FileTransfer, ProgressListener } from './file-transfer.js';
import { prepareUpload } from './upload-request.js';

/** Longest file name put into a content. */
const MAX_FILENAME = 255;

export interface UploadFileOptions {
  /** Does the HTTP. */
  readonly transfer: FileTransfer;
  /** The file service (`fileServiceUrl(stationUrl)`). */
  readonly service: string;
  /** The uploader: signs the upload. */
  readonly identity: Identity;
  readonly backend?: CryptoBackend;
  readonly onProgress?: ProgressListener;
  /** The content type; default by the file name's extension (`fileKindOf`). */
  readonly kind?: FileKind;
  /** For images: a small `data:image/jpeg;base64,…` preview (PNF, wire spec §5 table). */
  readonly thumbnail?: string;
  /** Content options (`group`, `sn`, `time`). */
  readonly content?: ContentOptions;
  /** Clock in ms (the upload's signed time). */
  readonly now?: () => number;
}

/** A file to send: its bytes and the name receivers see. */
export interface OutgoingFile {
  readonly data: Uint8Array;
  readonly filename: string;
}

function checkName(filename: string): string {
  if (typeof filename !== 'string') throw new TypeError('filename: expected a string');
  // Only the base name travels: a path would tell receivers about the sender's disk.
  const base = filename.split(/[/\\]/).pop() ?? '';
  if (base === '' || base.length > MAX_FILENAME) {
    throw new DimError('content.format', `file name must be 1–${MAX_FILENAME} characters, got "${filename}"`);
  }
  return base;
}

/**
 * Encrypts a file with a fresh key, uploads the ciphertext and answers the file content to send (wire spec
 * §5.1): `URL`, `filename`, `key` (written as `key` + `password` on the wire), `IV`, `length` (plaintext bytes),
 * and `thumbnail` for images. Nothing is sent; give the content to `messenger.send` (one per member for a
 * group). Throws DimError `file.transfer` / `file.too_large` when the upload fails.
 */
export async function uploadFile(file: OutgoingFile, options: UploadFileOptions): Promise<FileContent> {
  const filename = checkName(file.filename);
  const encrypted = encryptFile(file.data, options.backend);
  const request = prepareUpload(options.service, options.identity, encrypted.ciphertext, filename, options.now);
  const uploaded = await options.transfer.upload(request, options.onProgress);
  const fields: FileFields = {
    URL: uploaded.url,
    filename,
    key: encrypted.key,
    IV: encrypted.iv,
    length: file.data.length,
  };
  const kind = options.kind ?? fileKindOf(filename);
  const opts = options.content ?? {};
  switch (kind) {
    case 'image':
      return createImageContent(
        options.thumbnail === undefined ? fields : { ...fields, thumbnail: options.thumbnail },
        opts,
      );
    case 'audio':
      return createAudioContent(fields, opts);
    case 'video':
      return createVideoContent(fields, opts);
    default:
      return createFileContent(fields, opts);
  }
}

/** `uploadFile`, then `messenger.send(to, content)`: resolves with the stored message (state `pending`). */
export async function sendFile(
  messenger: Messenger,
  to: string,
  file: OutgoingFile,
  options: UploadFileOptions,
): Promise<StoredMessage> {
  const content = await uploadFile(file, options);
  return messenger.send(to, content);
}
