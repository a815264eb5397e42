import type { JsonObject } from '../encoding/json.js';
import { checkId, checkInteger, checkObject, type Check } from './_check.js';
import { CommandName } from './command-name.js';
import { createCommand, isCommand, type Command } from './command.js';
import { requireArgString, type Content, type ContentOptions } from './content.js';

/**
 * Meta command (wire spec §6.1): `did` (the subject; `did` + `ID` on the wire), `meta` (absent =
 * a query). Answered with a meta command carrying `meta`, or a receipt "Meta not found.".
 */
export type MetaCommand = Command & {
  readonly command: typeof CommandName.META;
  readonly did: string;
  /** Canonical meta (integer `type`); the MKM area parses and verifies it. */
  readonly meta?: JsonObject;
};

/** A query (no `meta`) or a response (with it). */
export function createMetaCommand(
  fields: { readonly did: string; readonly meta?: JsonObject },
  options: ContentOptions = {},
): MetaCommand {
  requireArgString(fields.did, 'did');
  return createCommand(CommandName.META, { did: fields.did, meta: fields.meta }, options) as MetaCommand;
}

export function isMetaCommand(content: Content): content is MetaCommand {
  return isCommand(content, CommandName.META);
}

export function checkMetaField(ck: Check, json: JsonObject): void {
  const meta = checkObject(ck, json, 'meta');
  if (meta !== undefined) checkInteger({ ...ck, what: `${ck.what} meta` }, meta, 'type', 0, 0xff, true);
}

export function checkMetaCommand(ck: Check, json: JsonObject): void {
  checkId(ck, json, 'did', true);
  checkMetaField(ck, json);
}
