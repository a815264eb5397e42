import { CommandName, GROUP_COMMAND_NAMES } from '../content/command-name.js';
import { ContentType, FILE_CONTENT_TYPES } from '../content/content-type.js';
import type { JsonObject } from '../encoding/json.js';
import { isObject, own, withField } from './_fields.js';
import { commandNameFromWire, commandNameToWire } from './command-name.js';
import { contentTypeFromWire } from './content-type.js';
import { didFromWire, didToWire } from './did.js';
import { DOCUMENTS_COMMAND_NAMES, documentsCommandFromWire, documentsCommandToWire } from './documents-command.js';
import { fileKeyFromWire, fileKeyToWire } from './file-key.js';
import { groupMembersFromWire } from './group-members.js';
import { handshakeTitleFromWire, handshakeTitleToWire } from './handshake-title.js';
import { loginFromWire, loginToWire } from './login.js';
import { metaFromWire, metaToWire } from './meta.js';
import { quoteOriginFromWire } from './quote-origin.js';
import { receiptOriginFromWire, receiptOriginToWire } from './receipt-origin.js';
import { reportFromWire, reportToWire } from './report-title.js';
import { CONTENT_SHORT_KEYS, expandShortKeys } from './short-keys.js';
import { timeFieldsFromWire } from './time-value.js';

/**
 * How deep the filters follow nested contents (`array` contents inside `array` contents...).
 * Deeper contents are left as they came; `parseContent` rejects them long before this depth.
 */
export const MAX_FILTER_DEPTH = 16;

function isCommandType(type: number | undefined): boolean {
  return type === ContentType.COMMAND || type === ContentType.HISTORY;
}

function mapContents(json: JsonObject, filter: (c: JsonObject, depth: number) => JsonObject, depth: number) {
  const list = own(json, 'contents');
  if (!Array.isArray(list) || depth >= MAX_FILTER_DEPTH) return json;
  return withField(
    json,
    'contents',
    list.map((item) => (isObject(item) ? filter(item, depth + 1) : item)),
  );
}

function metaField(json: JsonObject, fix: (meta: JsonObject) => JsonObject): JsonObject {
  const meta = own(json, 'meta');
  return isObject(meta) ? withField(json, 'meta', fix(meta)) : json;
}

function commandFromWire(json: JsonObject): JsonObject {
  const content = commandNameFromWire(json);
  const name = own(content, 'command');
  if (typeof name !== 'string') return content;
  if (DOCUMENTS_COMMAND_NAMES.includes(name)) return documentsCommandFromWire(content);
  switch (name) {
    case CommandName.META:
      return metaField(didFromWire(content, 'command.format'), metaFromWire);
    case CommandName.LOGIN:
      return loginFromWire(content);
    case CommandName.RECEIPT:
      return receiptOriginFromWire(content);
    case CommandName.HANDSHAKE:
      return handshakeTitleFromWire(content);
    case CommandName.REPORT:
    case 'online':
    case 'offline':
      return reportFromWire(content);
  }
  return GROUP_COMMAND_NAMES.includes(name) ? groupMembersFromWire(content) : content;
}

function fromWire(json: JsonObject, depth: number): JsonObject {
  let content = expandShortKeys(json, CONTENT_SHORT_KEYS);
  const wireType = own(content, 'type');
  const type = contentTypeFromWire(wireType);
  if (type !== undefined && wireType !== type) content = withField(content, 'type', type);
  content = timeFieldsFromWire(content);
  if (type === undefined) return content;
  if (FILE_CONTENT_TYPES.includes(type)) return fileKeyFromWire(content);
  if (isCommandType(type)) return commandFromWire(content);
  switch (type) {
    case ContentType.NAME_CARD:
      return didFromWire(content, 'content.format');
    case ContentType.QUOTE:
      return quoteOriginFromWire(content);
    case ContentType.ARRAY:
      return mapContents(content, fromWire, depth);
  }
  return content;
}

/**
 * The incoming content filter (wire spec §7 "Incoming", §4.10, §4.2): turns every spelling a
 * deployed peer may send into dimkit's canonical form:
 * - short keys `T`, `N`, `W`, `G`, `C` expanded (an existing long key is never overwritten);
 * - `type` as an integer (from a decimal string or a §5 alias); `time`/`last_time` numbers;
 * - files: `password` → `key`; name cards: `ID` → `did`; quotes: `origin.type` an integer;
 * - commands: `cmd` → `command`; meta/documents/login: `ID` → `did` (also in login `station` and
 *   `provider` and in every document); `document`/`profile` → `documents` array; meta
 *   `version` → integer `type`; handshake `message` → `title`; receipt `envelope` → `origin`;
 *   report `state` / `online` / `offline` → `title`; group commands `member` → `members`;
 * - `array` contents: the same, recursively.
 * Unknown types and fields pass unchanged. Pure: returns a new object, never mutates `json`;
 * idempotent on canonical input. Shapes are not validated here (that is `parseContent`), but two
 * spellings of one field that disagree throw DimError('content.format' | 'command.format'), and a
 * bad meta type DimError('meta.type').
 */
export function contentFromWire(json: JsonObject): JsonObject {
  return fromWire(json, 0);
}

function commandToWire(json: JsonObject): JsonObject {
  const name = own(json, 'command') ?? own(json, 'cmd');
  let content = json;
  let subject = false;
  if (typeof name === 'string' && DOCUMENTS_COMMAND_NAMES.includes(name)) {
    content = documentsCommandToWire(content);
    subject = true;
  } else if (name === CommandName.META) {
    content = metaField(content, metaToWire);
    subject = true;
  } else if (name === CommandName.RECEIPT) {
    content = receiptOriginToWire(content);
  } else if (name === CommandName.HANDSHAKE) {
    content = handshakeTitleToWire(content);
  } else if (name === CommandName.REPORT) {
    content = reportToWire(content);
  }
  content = commandNameToWire(content);
  // `ID` after `cmd`: the order of the deployed apps' output (wire spec §10.3)
  if (name === CommandName.LOGIN) return loginToWire(content);
  return subject ? didToWire(content) : content;
}

function toWire(json: JsonObject, depth: number): JsonObject {
  let content = json;
  const wireType = own(content, 'type');
  const type = contentTypeFromWire(wireType);
  if (type !== undefined && wireType !== type) content = withField(content, 'type', type);
  if (type === undefined) return content;
  if (FILE_CONTENT_TYPES.includes(type)) return fileKeyToWire(content);
  if (isCommandType(type)) return commandToWire(content);
  switch (type) {
    case ContentType.NAME_CARD:
      return didToWire(content);
    case ContentType.ARRAY:
      return mapContents(content, toWire, depth);
  }
  return content;
}

/**
 * The outgoing content filter (wire spec §7 "Outgoing content", §11 item 12): what deployed
 * reference apps put on the wire, from a canonical content:
 * - `type` a JSON integer;
 * - files: `key` + `password`; name cards: `did` + `ID`;
 * - commands: `command` + `cmd`; meta/documents/login: `did` + `ID` (login also inside `station`
 *   and `provider`);
 * - documents: the legacy single-`document` form (§6.2), every document with `did` + `ID`;
 *   meta `type` + `version` integers;
 * - handshake: `title` + `message`; report: `title`;
 * - receipt: `origin` + `envelope`, plus `sender`, `receiver`, `sn`, `signature` copied from it
 *   to the top level (Python app behaviour; the receipt's own `sn` becomes the original's);
 * - `array` contents: the same, recursively.
 * Other fields keep their order; added names are appended. Pure: never mutates `content`.
 */
export function contentToWire(content: JsonObject): JsonObject {
  return toWire(content, 0);
}
