import type { JsonObject } from '../encoding/json.js';
import { checkString, type Check } from './_check.js';
import { createContent, requireArgString, type Content, type ContentFields, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/**
 * Application content (type 0xA0, reserved; wire spec §5): `app` and app-defined fields (`extra`,
 * or `mod`/`act` as the Python app reads it like a customized content).
 */
export type ApplicationContent = Content & {
  readonly type: typeof ContentType.APPLICATION;
  readonly app: string;
};

export function createApplicationContent(
  app: string,
  fields: ContentFields = {},
  options: ContentOptions = {},
): ApplicationContent {
  requireArgString(app, 'app');
  return createContent(ContentType.APPLICATION, { app, ...fields }, options) as ApplicationContent;
}

export function isApplicationContent(content: Content): content is ApplicationContent {
  return content.type === ContentType.APPLICATION;
}

export function checkApplication(ck: Check, json: JsonObject): void {
  checkString(ck, json, 'app');
  checkString(ck, json, 'mod');
  checkString(ck, json, 'act');
}
