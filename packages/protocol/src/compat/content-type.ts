import { ContentType, MAX_CONTENT_TYPE } from '../content/content-type.js';
import type { JsonValue } from '../encoding/json.js';

/**
 * Content `type` on input (wire spec §4.2, §5, §11 item 10): the 2025 libraries keep types as
 * decimal strings internally and register aliases; deployed apps write integers. Readers accept
 * all three; dimkit's canonical form is the integer.
 */
const ALIASES: Readonly<Record<string, number>> = {
  '*': ContentType.ANY,
  text: ContentType.TEXT,
  file: ContentType.FILE,
  image: ContentType.IMAGE,
  audio: ContentType.AUDIO,
  video: ContentType.VIDEO,
  page: ContentType.PAGE,
  card: ContentType.NAME_CARD,
  quote: ContentType.QUOTE,
  money: ContentType.MONEY,
  transfer: ContentType.TRANSFER,
  command: ContentType.COMMAND,
  history: ContentType.HISTORY,
  application: ContentType.APPLICATION,
  array: ContentType.ARRAY,
  customized: ContentType.CUSTOMIZED,
  combine: ContentType.COMBINE_FORWARD,
  forward: ContentType.FORWARD,
  // JS v2.0 creates quote contents with type "receipt" (§5 notes); nothing else uses this value.
  receipt: ContentType.QUOTE,
};

const DECIMAL = /^[0-9]{1,10}$/;

/**
 * The integer content type for an integer, a decimal string or an alias; `undefined` when the
 * value is none of these (the caller reports it as `content.type`).
 */
export function contentTypeFromWire(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 0 && value <= MAX_CONTENT_TYPE ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (DECIMAL.test(value)) {
    const n = Number(value);
    return n <= MAX_CONTENT_TYPE ? n : undefined;
  }
  return Object.prototype.hasOwnProperty.call(ALIASES, value) ? ALIASES[value] : undefined;
}
