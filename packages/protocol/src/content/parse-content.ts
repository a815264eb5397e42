import { contentFromWire } from '../compat/content.js';
import { isJsonObject, type JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { checkApplication } from './application.js';
import { checkAnsCommand } from './ans-command.js';
import { checkId, checkList, checkString, checkTime, fail, field, type Check } from './_check.js';
import { checkListCommand } from './block-command.js';
import { checkCombine } from './combine.js';
import { CommandName, GROUP_COMMAND_NAMES } from './command-name.js';
import type { Content } from './content.js';
import { ContentType, FILE_CONTENT_TYPES, MAX_CONTENT_TYPE } from './content-type.js';
import { checkCustomized } from './customized.js';
import { checkDocumentsCommand } from './documents-command.js';
import { checkFile } from './file.js';
import { checkForward } from './forward.js';
import { checkGroupCommand } from './group-command.js';
import { checkHandshakeCommand } from './handshake-command.js';
import { checkJsonTree } from './_json-tree.js';
import { DEFAULT_CONTENT_LIMITS, type ContentLimits } from './limits.js';
import { checkLoginCommand } from './login-command.js';
import { checkMetaCommand } from './meta-command.js';
import { checkMoney } from './money.js';
import { checkNameCard } from './name-card.js';
import { checkPage } from './page.js';
import { checkQuote } from './quote.js';
import { checkReceiptCommand } from './receipt-command.js';
import { checkReportCommand } from './report-command.js';
import { isSerialNumber } from './serial-number.js';
import { checkText } from './text.js';

type Checker = (ck: Check, json: JsonObject) => void;

const CONTENT_CHECKS: ReadonlyMap<number, Checker> = new Map<number, Checker>([
  [ContentType.TEXT, checkText],
  ...FILE_CONTENT_TYPES.map((t): [number, Checker] => [t, checkFile]),
  [ContentType.PAGE, checkPage],
  [ContentType.NAME_CARD, checkNameCard],
  [ContentType.QUOTE, checkQuote],
  [ContentType.MONEY, checkMoney],
  [ContentType.TRANSFER, checkMoney],
  [ContentType.APPLICATION, checkApplication],
  [ContentType.CUSTOMIZED, checkCustomized],
  [ContentType.COMBINE_FORWARD, checkCombine],
  [ContentType.FORWARD, checkForward],
]);

const COMMAND_CHECKS: ReadonlyMap<string, Checker> = new Map<string, Checker>([
  [CommandName.META, checkMetaCommand],
  [CommandName.DOCUMENTS, checkDocumentsCommand],
  [CommandName.RECEIPT, checkReceiptCommand],
  [CommandName.HANDSHAKE, checkHandshakeCommand],
  [CommandName.LOGIN, checkLoginCommand],
  [CommandName.REPORT, checkReportCommand],
  [CommandName.BLOCK, checkListCommand],
  [CommandName.MUTE, checkListCommand],
  [CommandName.ANS, checkAnsCommand],
  ...GROUP_COMMAND_NAMES.map((n): [string, Checker] => [n, checkGroupCommand]),
]);

const TYPE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(ContentType).map(([name, value]) => [value as number, name.toLowerCase().replace(/_/g, ' ')]),
);

/**
 * What a failing check names, built once per known content type and command for the default
 * limits: a message that passes builds no label (most of them).
 */
const DEFAULT_CONTENT_CHECKS: ReadonlyMap<number, Check> = new Map(
  [...TYPE_NAMES].map(([type, name]) => [type, contentCheck(type, DEFAULT_CONTENT_LIMITS, name)]),
);
const DEFAULT_COMMAND_CHECK: Check = { code: 'command.format', what: 'command', limits: DEFAULT_CONTENT_LIMITS };
const DEFAULT_NAMED_COMMAND_CHECKS: ReadonlyMap<string, Check> = new Map(
  [...COMMAND_CHECKS.keys()].map((name) => [name, namedCommandCheck(DEFAULT_COMMAND_CHECK, name)]),
);

function contentCheck(type: number, limits: ContentLimits, name = TYPE_NAMES.get(type)): Check {
  return { code: 'content.format', what: `${name ?? `type ${type}`} content`, limits };
}

function namedCommandCheck(ck: Check, name: string): Check {
  return { ...ck, what: `${name.slice(0, 32)} command` };
}

function checkCommand(json: JsonObject, limits: ContentLimits): void {
  const ck: Check =
    limits === DEFAULT_CONTENT_LIMITS ? DEFAULT_COMMAND_CHECK : { code: 'command.format', what: 'command', limits };
  const name = checkString(ck, json, 'command', true)!;
  if (name.length === 0 || name.length > limits.maxCommandLength) {
    fail(ck, `\`command\` must be a name of 1 … ${limits.maxCommandLength} characters`);
  }
  if (json['type'] === ContentType.HISTORY && field(json, 'time') === undefined) {
    fail(ck, '`time` is required on a history command (type 137, §6.6)');
  }
  const checker = COMMAND_CHECKS.get(name);
  if (checker === undefined) return;
  const named = limits === DEFAULT_CONTENT_LIMITS ? DEFAULT_NAMED_COMMAND_CHECKS.get(name) : undefined;
  checker(named ?? namedCommandCheck(ck, name), json);
}

function parse(value: unknown, limits: ContentLimits, nesting: number): Content {
  if (!isJsonObject(value)) throw new DimError('content.format', 'content: expected a JSON object');
  checkJsonTree(value, limits.maxJsonDepth);
  const json = contentFromWire(value);
  const type = field(json, 'type');
  if (typeof type !== 'number' || !Number.isInteger(type) || type < 0 || type > MAX_CONTENT_TYPE) {
    // the tree is plain JSON by now, so this cannot throw (String() could, on {"toString": 0})
    const shown = (JSON.stringify(type) ?? 'nothing').slice(0, 40);
    throw new DimError('content.type', `content: \`type\` must be an integer or a §5 alias, got ${shown}`);
  }
  const base =
    (limits === DEFAULT_CONTENT_LIMITS ? DEFAULT_CONTENT_CHECKS.get(type) : undefined) ?? contentCheck(type, limits);
  if (!isSerialNumber(field(json, 'sn'))) fail(base, '`sn` must be an integer 1 … 2^31−1');
  checkTime(base, json, 'time');
  checkId(base, json, 'group');
  if (type === ContentType.COMMAND || type === ContentType.HISTORY) {
    checkCommand(json, limits);
    return json as Content;
  }
  if (type === ContentType.ARRAY) {
    if (nesting >= limits.maxNesting) fail(base, `array contents nested deeper than ${limits.maxNesting}`);
    const list = checkList(base, json, 'contents', limits.maxContents, true)!;
    const contents = list.map((item) => parse(item, limits, nesting + 1));
    // `contents` is present, so the spread keeps its place (and the tree has no `__proto__` key)
    const out: JsonObject = { ...json, contents };
    return out as Content;
  }
  CONTENT_CHECKS.get(type)?.(base, json);
  return json as Content;
}

/**
 * Reads a content from the wire (or any untrusted JSON) into its canonical form: applies the
 * incoming compat filter (`contentFromWire`: short keys, `type` aliases, legacy field names;
 * idempotent, so a content that already went through it is fine), then checks shape and sizes:
 * `type` an integer (else DimError('content.type')); `sn` an integer 1 … 2³¹−1; `time` seconds
 * if present (required on type 137); `group` an ID string; the fields of known types and commands
 * (§5, §6) with the right JSON types; lists within `limits`; no `__proto__` keys; `array`
 * contents parsed recursively. Unknown types, commands and fields pass unchanged.
 * Throws DimError('content.format' | 'content.type' | 'command.format', or 'meta.type' /
 * 'document.invalid' from the filter), naming the field; never a TypeError on any input.
 */
export function parseContent(value: unknown, limits?: Partial<ContentLimits>): Content {
  // Without options, the shared defaults themselves: no merged object per message.
  return parse(value, limits === undefined ? DEFAULT_CONTENT_LIMITS : { ...DEFAULT_CONTENT_LIMITS, ...limits }, 0);
}
