// The station's transport area: one TCP port for WebSocket, MTP and plain HTTP (station spec §1).
export { TransportServer } from './server.js';
export type { RequestHandler, TransportLogger, TransportServerOptions } from './server.js';
export type { CloseReason, Connection, ConnectionHandler, SendOptions } from './connection.js';
export { resolveTransportOptions, TRANSPORT_DEFAULTS } from './options.js';
export type { ResolvedTransportOptions, TransportOptions } from './options.js';
export { sniff, SNIFF_DEFAULT_MAX_HEADER_BYTES } from './sniff.js';
export type { SniffResult } from './sniff.js';
// MTP framing lives in @dimkit/protocol/mtp (the client's MTP transport uses it too); re-exported here.
export {
  encodeMtpFrame,
  encodeMtpHeader,
  hasBodyLength,
  MTP_MAX_BODY_LENGTH,
  MTP_MAX_HEADER_LENGTH,
  MTP_MAX_PAGES,
  MtpDataType,
  readMtpHeader,
  MTP_DEFAULT_MAX_GARBAGE_BYTES,
  MtpStreamParser,
} from '@dimkit/protocol/mtp';
export type {
  MtpHeader,
  MtpHeaderInit,
  MtpHeaderLength,
  MtpFrame,
  MtpStreamError,
  MtpStreamOptions,
} from '@dimkit/protocol/mtp';
