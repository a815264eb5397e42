import type { JsonObject } from '../encoding/json.js';
import { checkId, checkPnf, checkString, type Check } from './_check.js';
import { createContent, requireArgString, type Content, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/**
 * Name card (type 0x33, wire spec §5): a contact's `did` (written as `did` + `ID` by
 * `contentToWire`), `name`, `avatar` (PNF, §5.1).
 */
export type NameCardContent = Content & {
  readonly type: typeof ContentType.NAME_CARD;
  readonly did: string;
  readonly name?: string;
  readonly avatar?: string | JsonObject;
};

export function createNameCard(
  fields: { readonly did: string; readonly name?: string; readonly avatar?: string | JsonObject },
  options: ContentOptions = {},
): NameCardContent {
  requireArgString(fields.did, 'did');
  return createContent(
    ContentType.NAME_CARD,
    { did: fields.did, name: fields.name, avatar: fields.avatar },
    options,
  ) as NameCardContent;
}

export function isNameCard(content: Content): content is NameCardContent {
  return content.type === ContentType.NAME_CARD;
}

export function checkNameCard(ck: Check, json: JsonObject): void {
  checkId(ck, json, 'did', true);
  checkString(ck, json, 'name');
  checkPnf(ck, json, 'avatar');
}
