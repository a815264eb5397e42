import type { JsonObject } from '../encoding/json.js';
import { checkObject, checkObjectList, fail, field, type Check } from './_check.js';
import { createContent, type Content, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/**
 * Forward, "top-secret" (type 0xFF, wire spec §5, §4.8): one reliable message in `forward`, or
 * several in `secrets`. The receiver processes each recursively (verify; decrypt if addressed to
 * it, else relay). Used for group-bot delivery. The inner messages are kept exactly as they came:
 * the message parser reads them.
 */
export type ForwardContent = Content & {
  readonly type: typeof ContentType.FORWARD;
  readonly forward?: JsonObject;
  readonly secrets?: readonly JsonObject[];
};

/** One message → `forward`; an array → `secrets`. */
export function createForwardContent(
  messages: JsonObject | readonly JsonObject[],
  options: ContentOptions = {},
): ForwardContent {
  if (Array.isArray(messages)) {
    return createContent(ContentType.FORWARD, { secrets: [...messages] }, options) as ForwardContent;
  }
  if (typeof messages !== 'object' || messages === null) throw new TypeError('forward: expected a reliable message');
  return createContent(ContentType.FORWARD, { forward: messages as JsonObject }, options) as ForwardContent;
}

export function isForwardContent(content: Content): content is ForwardContent {
  return content.type === ContentType.FORWARD;
}

/** The forwarded messages: `forward`, then every entry of `secrets`. */
export function forwardedMessages(content: ForwardContent): readonly JsonObject[] {
  return [...(content.forward === undefined ? [] : [content.forward]), ...(content.secrets ?? [])];
}

export function checkForward(ck: Check, json: JsonObject): void {
  checkObject(ck, json, 'forward');
  checkObjectList(ck, json, 'secrets', ck.limits.maxMessages);
  if (field(json, 'forward') === undefined && field(json, 'secrets') === undefined) {
    fail(ck, 'needs `forward` or `secrets`');
  }
}
