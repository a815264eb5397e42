import { createContent, type Content, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/**
 * Content array (type 0xCA, wire spec §5): `contents`, an array of contents. `parseContent`
 * parses every entry (to the nesting depth of its limits).
 */
export type ArrayContent = Content & {
  readonly type: typeof ContentType.ARRAY;
  readonly contents: readonly Content[];
};

export function createArrayContent(contents: readonly Content[], options: ContentOptions = {}): ArrayContent {
  if (!Array.isArray(contents)) throw new TypeError('contents: expected an array of contents');
  return createContent(ContentType.ARRAY, { contents: [...contents] }, options) as ArrayContent;
}

export function isArrayContent(content: Content): content is ArrayContent {
  return content.type === ContentType.ARRAY;
}
