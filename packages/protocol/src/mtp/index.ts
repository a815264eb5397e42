// MTP framing (station spec §1.4): the binary package format of the reference's TCP links, shared by the
// station's transport and the client's MTP transport. Bytes only: runs anywhere.
export {
  MTP_MAX_BODY_LENGTH,
  MTP_MAX_HEADER_LENGTH,
  MTP_MAX_PAGES,
  MtpDataType,
  encodeMtpFrame,
  encodeMtpHeader,
  hasBodyLength,
  readMtpHeader,
} from './header.js';
export type { MtpHeader, MtpHeaderInit, MtpHeaderLength } from './header.js';
export { MTP_DEFAULT_MAX_GARBAGE_BYTES, MtpStreamParser } from './stream.js';
export type { MtpFrame, MtpStreamError, MtpStreamOptions } from './stream.js';
