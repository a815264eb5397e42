import type { JsonObject } from '../encoding/json.js';
import { checkObject, checkString, type Check } from './_check.js';
import { createContent, requireArgString, type Content, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/**
 * Text content (type 1, wire spec §5). Extras used by the Flutter app: `format: "markdown"`; a
 * recall is a markdown text with `action: "recall"` and `origin` = `{type, sn[, URL, filename]}`
 * of the recalled content; failed-decryption placeholders carry `template` + `replacements`.
 */
export type TextContent = Content & {
  readonly type: typeof ContentType.TEXT;
  readonly text: string;
  /** `"markdown"` (Flutter app), absent for plain text. */
  readonly format?: string;
};

/** A recall (§5 notes): reuses the recalled content's `sn` and `time`. */
export type RecallContent = TextContent & {
  readonly format: 'markdown';
  readonly action: 'recall';
  readonly origin: JsonObject;
};

export interface TextOptions extends ContentOptions {
  readonly format?: string;
}

export function createTextContent(text: string, options: TextOptions = {}): TextContent {
  requireArgString(text, 'text');
  return createContent(ContentType.TEXT, { text, format: options.format }, options) as TextContent;
}

export function isTextContent(content: Content): content is TextContent {
  return content.type === ContentType.TEXT && typeof content['text'] === 'string';
}

/**
 * A recall of `recalled` (§5 notes): a markdown text with `action: "recall"`, `origin` =
 * `{type, sn}` (+ `URL`, `filename` for files) of the recalled content, and the recalled
 * content's `sn` and `time`. The message that carries it should have a top-level `"muted": true`.
 */
export function createRecallContent(recalled: Content, text: string): RecallContent {
  requireArgString(text, 'text');
  const origin: JsonObject = { type: recalled.type, sn: recalled.sn };
  for (const k of ['URL', 'filename']) {
    const v = recalled[k];
    if (typeof v === 'string') origin[k] = v;
  }
  const options: ContentOptions = { sn: recalled.sn, time: recalled.time, group: recalled.group };
  return createContent(
    ContentType.TEXT,
    { text, format: 'markdown', action: 'recall', origin },
    options,
  ) as RecallContent;
}

export function isRecallContent(content: Content): content is RecallContent {
  return isTextContent(content) && content['action'] === 'recall' && typeof content['origin'] === 'object';
}

export function checkText(ck: Check, json: JsonObject): void {
  checkString(ck, json, 'text', true);
  checkString(ck, json, 'format');
  checkString(ck, json, 'action');
  checkObject(ck, json, 'origin');
  checkString(ck, json, 'template');
  checkObject(ck, json, 'replacements');
}
