import { CommandName } from './command-name.js';
import { createCommand, isCommand, type Command } from './command.js';
import type { Content, ContentOptions } from './content.js';

/** Mute command (wire spec §6.5): `list` of muted IDs, absent = a query. Sent to the station. */
export type MuteCommand = Command & {
  readonly command: typeof CommandName.MUTE;
  readonly list?: readonly string[];
};

export function createMuteCommand(
  fields: { readonly list?: readonly string[] } = {},
  options: ContentOptions = {},
): MuteCommand {
  const list = fields.list === undefined ? undefined : [...fields.list];
  return createCommand(CommandName.MUTE, { list }, options) as MuteCommand;
}

export function isMuteCommand(content: Content): content is MuteCommand {
  return isCommand(content, CommandName.MUTE);
}
