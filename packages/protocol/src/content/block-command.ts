import type { JsonObject } from '../encoding/json.js';
import { checkIdList, type Check } from './_check.js';
import { CommandName } from './command-name.js';
import { createCommand, isCommand, type Command } from './command.js';
import type { Content, ContentOptions } from './content.js';

/** Block command (wire spec §6.5): `list` of blocked IDs, absent = a query. Sent to the station. */
export type BlockCommand = Command & {
  readonly command: typeof CommandName.BLOCK;
  readonly list?: readonly string[];
};

export function createBlockCommand(
  fields: { readonly list?: readonly string[] } = {},
  options: ContentOptions = {},
): BlockCommand {
  const list = fields.list === undefined ? undefined : [...fields.list];
  return createCommand(CommandName.BLOCK, { list }, options) as BlockCommand;
}

export function isBlockCommand(content: Content): content is BlockCommand {
  return isCommand(content, CommandName.BLOCK);
}

/** Shared by block and mute: an optional `list` of IDs. */
export function checkListCommand(ck: Check, json: JsonObject): void {
  checkIdList(ck, json, 'list');
}
