import type { JsonObject } from '../encoding/json.js';
import { checkString, checkStringMap, type Check } from './_check.js';
import { CommandName } from './command-name.js';
import { createCommand, isCommand, type Command } from './command.js';
import type { Content, ContentOptions } from './content.js';

/**
 * ANS command (wire spec §6.5): a query `names` (space-separated aliases), answered with
 * `records` `{alias: ID}`. Sent to the station.
 */
export type AnsCommand = Command & {
  readonly command: typeof CommandName.ANS;
  readonly names?: string;
  readonly records?: Readonly<Record<string, string>>;
};

/** `names` may be given as an array; it is written space-separated. */
export function createAnsCommand(
  fields: { readonly names?: string | readonly string[]; readonly records?: Readonly<Record<string, string>> },
  options: ContentOptions = {},
): AnsCommand {
  const names = typeof fields.names === 'string' || fields.names === undefined ? fields.names : fields.names.join(' ');
  const records = fields.records === undefined ? undefined : { ...fields.records };
  return createCommand(CommandName.ANS, { names, records }, options) as AnsCommand;
}

export function isAnsCommand(content: Content): content is AnsCommand {
  return isCommand(content, CommandName.ANS);
}

/** The aliases of an ANS query, split on spaces. */
export function ansNames(content: AnsCommand): readonly string[] {
  return (content.names ?? '').split(' ').filter((name) => name.length > 0);
}

export function checkAnsCommand(ck: Check, json: JsonObject): void {
  checkString(ck, json, 'names');
  checkStringMap(ck, json, 'records');
}
