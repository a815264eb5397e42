import type { JsonObject } from '../encoding/json.js';
import { checkObjectList, checkString, type Check } from './_check.js';
import { createContent, type Content, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/**
 * Combine and forward (type 0xCF, wire spec §5): a chat history, `title` + `messages` (instant
 * messages, each with its `content`). The messages are kept as they came; a reader shows them.
 */
export type CombineContent = Content & {
  readonly type: typeof ContentType.COMBINE_FORWARD;
  readonly title?: string;
  readonly messages: readonly JsonObject[];
};

export function createCombineContent(
  fields: { readonly title?: string; readonly messages: readonly JsonObject[] },
  options: ContentOptions = {},
): CombineContent {
  if (!Array.isArray(fields.messages)) throw new TypeError('messages: expected an array of instant messages');
  return createContent(
    ContentType.COMBINE_FORWARD,
    { title: fields.title, messages: [...fields.messages] },
    options,
  ) as CombineContent;
}

export function isCombineContent(content: Content): content is CombineContent {
  return content.type === ContentType.COMBINE_FORWARD;
}

export function checkCombine(ck: Check, json: JsonObject): void {
  checkString(ck, json, 'title');
  checkObjectList(ck, json, 'messages', ck.limits.maxMessages, true);
}
