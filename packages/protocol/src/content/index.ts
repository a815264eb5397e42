// Every content and command type of DIMP (wire spec §4.2, §5, §6), in dimkit's canonical form.
export { ContentType, FILE_CONTENT_TYPES, MAX_CONTENT_TYPE } from './content-type.js';
export type { ContentTypeNumber } from './content-type.js';
export { CommandName, GROUP_COMMAND_NAMES } from './command-name.js';
export { createContent } from './content.js';
export type { Content, ContentFields, ContentOptions } from './content.js';
export { isSerialNumber, MAX_SERIAL_NUMBER, nextSerialNumber, serialNumberGenerator } from './serial-number.js';
export { DEFAULT_CONTENT_LIMITS } from './limits.js';
export type { ContentLimits } from './limits.js';
export { parseContent } from './parse-content.js';
export { formatPnf, MAX_PNF_LENGTH, parsePnf } from './pnf.js';
export type { Pnf } from './pnf.js';

// contents
export { createRecallContent, createTextContent, isRecallContent, isTextContent } from './text.js';
export type { RecallContent, TextContent, TextOptions } from './text.js';
export {
  createAudioContent,
  createFileContent,
  createImageContent,
  createVideoContent,
  isAudioContent,
  isFileContent,
  isImageContent,
  isVideoContent,
} from './file.js';
export type { AudioContent, FileContent, FileFields, ImageContent, VideoContent } from './file.js';
export { createPageContent, isPageContent } from './page.js';
export type { PageContent, PageFields } from './page.js';
export { createNameCard, isNameCard } from './name-card.js';
export type { NameCardContent } from './name-card.js';
export { createQuoteContent, isQuoteContent } from './quote.js';
export type { QuoteContent, QuoteOrigin } from './quote.js';
export { createMoneyContent, createTransferContent, isMoneyContent, isTransferContent } from './money.js';
export type { MoneyContent, TransferContent } from './money.js';
export { createArrayContent, isArrayContent } from './array.js';
export type { ArrayContent } from './array.js';
export {
  createCustomizedContent,
  createGroupHistoryQuery,
  createGroupKeysContent,
  GROUP_APP,
  GroupKeysAction,
  isCustomizedContent,
  isGroupHistoryQuery,
  isGroupKeysContent,
} from './customized.js';
export type { CustomizedContent, GroupHistoryQuery, GroupKeysContent } from './customized.js';
export { createCombineContent, isCombineContent } from './combine.js';
export type { CombineContent } from './combine.js';
export { createForwardContent, forwardedMessages, isForwardContent } from './forward.js';
export type { ForwardContent } from './forward.js';
export { createApplicationContent, isApplicationContent } from './application.js';
export type { ApplicationContent } from './application.js';

// commands
export { createCommand, isCommand } from './command.js';
export type { Command } from './command.js';
export { createMetaCommand, isMetaCommand } from './meta-command.js';
export type { MetaCommand } from './meta-command.js';
export { createDocumentsCommand, isDocumentsCommand } from './documents-command.js';
export type { DocumentsCommand } from './documents-command.js';
export { createReceiptCommand, isReceiptCommand, receiptOrigin } from './receipt-command.js';
export type { ReceiptCommand } from './receipt-command.js';
export { createHandshakeCommand, HandshakeTitle, isHandshakeCommand } from './handshake-command.js';
export type { HandshakeCommand } from './handshake-command.js';
export { createLoginCommand, isLoginCommand } from './login-command.js';
export type { LoginCommand, LoginStation } from './login-command.js';
export { createReportCommand, isReportCommand, ReportTitle } from './report-command.js';
export type { ReportCommand } from './report-command.js';
export { createBlockCommand, isBlockCommand } from './block-command.js';
export type { BlockCommand } from './block-command.js';
export { createMuteCommand, isMuteCommand } from './mute-command.js';
export type { MuteCommand } from './mute-command.js';
export { ansNames, createAnsCommand, isAnsCommand } from './ans-command.js';
export type { AnsCommand } from './ans-command.js';
export {
  createExpelCommand,
  createFireCommand,
  createGroupCommand,
  createHireCommand,
  createInviteCommand,
  createJoinCommand,
  createQueryCommand,
  createQuitCommand,
  createResetCommand,
  createResignCommand,
  isExpelCommand,
  isFireCommand,
  isGroupCommand,
  isHireCommand,
  isInviteCommand,
  isJoinCommand,
  isQueryCommand,
  isQuitCommand,
  isResetCommand,
  isResignCommand,
} from './group-command.js';
export type { AdminsCommand, GroupCommand, GroupQueryCommand, MembersCommand } from './group-command.js';
