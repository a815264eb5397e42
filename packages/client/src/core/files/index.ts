// Files (wire spec §5.1): encrypt with a fresh key per file, upload to the station's file service, send the
// file content; download, check and decrypt what arrives. Isomorphic: the HTTP is a `FileTransfer`.
export { decryptFile, encryptFile } from './file-crypto.js';
export type { EncryptedFile } from './file-crypto.js';
export { fileKindOf } from './file-kind.js';
export type { FileKind } from './file-kind.js';
export { DEFAULT_MAX_DOWNLOAD_BYTES } from './file-transfer.js';
export type { DownloadOptions, FileTransfer, ProgressListener, UploadRequest, UploadResult } from './file-transfer.js';
export { fetchFileTransfer, readUploadAnswer } from './fetch-transfer.js';
export { checkContentAddress, fileServiceUrl, prepareUpload, uploadSigningText } from './upload-request.js';
export { sendFile, uploadFile } from './send-file.js';
export type { OutgoingFile, UploadFileOptions } from './send-file.js';
export { downloadFile } from './receive-file.js';
export type { DownloadFileOptions } from './receive-file.js';
