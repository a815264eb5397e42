import type { JsonObject } from '../encoding/json.js';
import { checkPnf, checkString, fail, type Check } from './_check.js';
import { createContent, type Content, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/**
 * Web page content (type 0x20, wire spec §5): `URL`, `title`, `desc`, `icon` (PNF), or an inline
 * page: `HTML` with `mime_type`, `encoding`, `base`.
 */
export type PageContent = Content & {
  readonly type: typeof ContentType.PAGE;
  readonly URL?: string;
  readonly title?: string;
  readonly desc?: string;
  readonly icon?: string | JsonObject;
  readonly HTML?: string;
  readonly mime_type?: string;
  readonly encoding?: string;
  readonly base?: string;
};

export interface PageFields {
  readonly URL?: string;
  readonly title?: string;
  readonly desc?: string;
  readonly icon?: string | JsonObject;
  readonly HTML?: string;
  readonly mime_type?: string;
  readonly encoding?: string;
  readonly base?: string;
}

/** Throws TypeError without `URL` or `HTML`. */
export function createPageContent(fields: PageFields, options: ContentOptions = {}): PageContent {
  if (fields.URL === undefined && fields.HTML === undefined) throw new TypeError('a page needs `URL` or `HTML`');
  return createContent(ContentType.PAGE, { ...fields }, options) as PageContent;
}

export function isPageContent(content: Content): content is PageContent {
  return content.type === ContentType.PAGE;
}

export function checkPage(ck: Check, json: JsonObject): void {
  const url = checkString(ck, json, 'URL');
  const html = checkString(ck, json, 'HTML');
  if (url === undefined && html === undefined) fail(ck, 'needs `URL` or `HTML`');
  for (const name of ['title', 'desc', 'mime_type', 'encoding', 'base']) checkString(ck, json, name);
  checkPnf(ck, json, 'icon');
}
