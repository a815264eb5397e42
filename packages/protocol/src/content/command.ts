import { createContent, requireArgString, type Content, type ContentFields, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/**
 * A command (type 0x88, or 0x89 for group/history commands; wire spec §6). Readers dispatch on
 * `command` (written as `command` + `cmd` by `contentToWire`). Unknown command names are kept.
 */
export type Command = Content & {
  readonly type: typeof ContentType.COMMAND | typeof ContentType.HISTORY;
  readonly command: string;
};

/**
 * Builds a command `name` with `fields`: `{type: 136, sn, time, command, …fields}`.
 * Throws TypeError on an empty name.
 */
export function createCommand(name: string, fields: ContentFields = {}, options: ContentOptions = {}): Command {
  requireArgString(name, 'command');
  if (name.length === 0) throw new TypeError('command: expected a name');
  return createContent(ContentType.COMMAND, { command: name, ...fields }, options) as Command;
}

/** Any command (type 0x88 or 0x89); with `name`, only that command. */
export function isCommand(content: Content, name?: string): content is Command {
  if (content.type !== ContentType.COMMAND && content.type !== ContentType.HISTORY) return false;
  const command = content['command'];
  return typeof command === 'string' && (name === undefined || command === name);
}
