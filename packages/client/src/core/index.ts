// @dimkit/client/core: the isomorphic client SDK (no node:* imports; the browser client reuses it).
export { Messenger } from './messenger.js';
export type {
  ContactEvent,
  Delivery,
  ErrorEvent,
  GroupEvent,
  MessageEvent,
  MessengerEvents,
  MessengerOptions,
  OutboxEvent,
  ReceiptEvent,
  RejectedEvent,
  StateEvent,
} from './messenger.js';
export type { Transport, TransportConnection, TransportHandlers } from './transport.js';
export type {
  CipherKeyRecord,
  ClientStore,
  ContactRecord,
  ConversationSummary,
  EnqueuedOutgoing,
  IncomingRecord,
  IncomingResult,
  NewIncomingMessage,
  NewOutgoing,
  OutboxItem,
  OutboxKind,
  OutboxPatch,
  OutboxState,
  ReceiptRecord,
  SettleResult,
  StoredMessage,
} from './client-store.js';
export { MemoryClientStore } from './memory-store.js';
export { ContactBook, MAX_DOCUMENT_CLOCK_SKEW } from './contact-book.js';
export type { ContactUpdate } from './contact-book.js';
export { canSend, nextSessionState } from './session-state.js';
export type { ConnectionState, SessionEvent } from './session-state.js';
export { BACKOFF_DEFAULTS, backoffDelay } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export {
  DELIVERY_RECEIPT_TEXT,
  isAdvance,
  READ_RECEIPT_TEXT,
  retryDelay,
  StationReceiptText,
  stationReceiptState,
} from './message-state.js';
export type { MessageState } from './message-state.js';
export { naiveValue, wsAckFrame } from './ack.js';
export { Emitter } from './emitter.js';
export {
  DEFAULT_KDF_COST,
  deriveKey,
  newKdfParams,
  openSecret,
  parseKdfParams,
  randomKey,
  sealSecret,
} from './vault.js';
export type { KdfParams } from './vault.js';
export {
  checkContentAddress,
  decryptFile,
  DEFAULT_MAX_DOWNLOAD_BYTES,
  downloadFile,
  encryptFile,
  fetchFileTransfer,
  fileKindOf,
  fileServiceUrl,
  prepareUpload,
  readUploadAnswer,
  sendFile,
  uploadFile,
  uploadSigningText,
} from './files/index.js';
export type {
  DownloadFileOptions,
  DownloadOptions,
  EncryptedFile,
  FileKind,
  FileTransfer,
  OutgoingFile,
  ProgressListener,
  UploadFileOptions,
  UploadRequest,
  UploadResult,
} from './files/index.js';
export { Groups, SettingsGroupStore } from './groups/index.js';
export type {
  GroupChangeEvent,
  GroupInfo,
  GroupRefusalEvent,
  GroupRequestEvent,
  GroupSendResult,
  GroupsEvents,
  GroupsOptions,
  GroupStore,
} from './groups/index.js';
