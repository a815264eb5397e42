import type { JsonObject } from '../encoding/json.js';
import { checkId, checkIdList, checkTime, type Check } from './_check.js';
import { CommandName, GROUP_COMMAND_NAMES } from './command-name.js';
import type { Command } from './command.js';
import { createContent, requireArgString, type Content, type ContentFields, type ContentOptions } from './content.js';
import { ContentType } from './content-type.js';

/**
 * Group (history) commands (wire spec §6.6): `{type: 137, command, time, group, …}`. dimkit
 * writes type 0x89 like the Python apps (JS writes 0x88; both are read). Membership changes are
 * broadcast: receiver `anyone@anywhere`, exposed `group` (§4.8).
 */
export type GroupCommand = Command & {
  readonly group: string;
  readonly time: number;
  readonly members?: readonly string[];
};

/** `invite` / `expel` / `reset`: `members` (reset: the full list, owner first). */
export type MembersCommand = GroupCommand & {
  readonly command: typeof CommandName.INVITE | typeof CommandName.EXPEL | typeof CommandName.RESET;
  readonly members: readonly string[];
};

/** `hire` / `fire`: `administrators`, `assistants`. */
export type AdminsCommand = GroupCommand & {
  readonly command: typeof CommandName.HIRE | typeof CommandName.FIRE;
  readonly administrators?: readonly string[];
  readonly assistants?: readonly string[];
};

/** `query` (deprecated: use `createGroupHistoryQuery`): `last_time`. */
export type GroupQueryCommand = GroupCommand & {
  readonly command: typeof CommandName.QUERY;
  readonly last_time?: number;
};

/** Commands whose `members` must be a non-empty list. */
const WITH_MEMBERS: readonly string[] = [CommandName.INVITE, CommandName.EXPEL, CommandName.RESET];

/**
 * Builds group command `name` for `group` with `fields` (type 0x89, `time` always set).
 * Throws TypeError on a name that is not a group command.
 */
export function createGroupCommand(
  name: string,
  group: string,
  fields: ContentFields = {},
  options: ContentOptions = {},
): GroupCommand {
  if (!GROUP_COMMAND_NAMES.includes(name)) throw new TypeError(`${name}: not a group command`);
  requireArgString(group, 'group');
  return createContent(ContentType.HISTORY, { command: name, ...fields }, { ...options, group }) as GroupCommand;
}

function membersCommand(name: string, group: string, members: readonly string[], options: ContentOptions) {
  if (!Array.isArray(members) || members.length === 0)
    throw new TypeError(`${name}: expected a non-empty members list`);
  return createGroupCommand(name, group, { members: [...members] }, options) as MembersCommand;
}

export function createInviteCommand(group: string, members: readonly string[], options: ContentOptions = {}) {
  return membersCommand(CommandName.INVITE, group, members, options);
}

/** Deprecated by the reference: use `createResetCommand`. */
export function createExpelCommand(group: string, members: readonly string[], options: ContentOptions = {}) {
  return membersCommand(CommandName.EXPEL, group, members, options);
}

/** `members` is the full new list, owner first. */
export function createResetCommand(group: string, members: readonly string[], options: ContentOptions = {}) {
  return membersCommand(CommandName.RESET, group, members, options);
}

export function createJoinCommand(group: string, options: ContentOptions = {}): GroupCommand {
  return createGroupCommand(CommandName.JOIN, group, {}, options);
}

export function createQuitCommand(group: string, options: ContentOptions = {}): GroupCommand {
  return createGroupCommand(CommandName.QUIT, group, {}, options);
}

export function createResignCommand(group: string, options: ContentOptions = {}): GroupCommand {
  return createGroupCommand(CommandName.RESIGN, group, {}, options);
}

/** Deprecated by the reference: use `createGroupHistoryQuery`. */
export function createQueryCommand(group: string, last_time?: number, options: ContentOptions = {}) {
  return createGroupCommand(CommandName.QUERY, group, { last_time }, options) as GroupQueryCommand;
}

export function createHireCommand(
  group: string,
  admins: { readonly administrators?: readonly string[]; readonly assistants?: readonly string[] },
  options: ContentOptions = {},
): AdminsCommand {
  return adminsCommand(CommandName.HIRE, group, admins, options);
}

export function createFireCommand(
  group: string,
  admins: { readonly administrators?: readonly string[]; readonly assistants?: readonly string[] },
  options: ContentOptions = {},
): AdminsCommand {
  return adminsCommand(CommandName.FIRE, group, admins, options);
}

function adminsCommand(
  name: string,
  group: string,
  admins: { readonly administrators?: readonly string[]; readonly assistants?: readonly string[] },
  options: ContentOptions,
): AdminsCommand {
  const copy = (list?: readonly string[]) => (list === undefined ? undefined : [...list]);
  return createGroupCommand(
    name,
    group,
    { administrators: copy(admins.administrators), assistants: copy(admins.assistants) },
    options,
  ) as AdminsCommand;
}

/** A group command (by name, with a `group`); with `name`, only that command. */
export function isGroupCommand(content: Content, name?: string): content is GroupCommand {
  if (content.type !== ContentType.COMMAND && content.type !== ContentType.HISTORY) return false;
  const command = content['command'];
  return (
    typeof command === 'string' &&
    GROUP_COMMAND_NAMES.includes(command) &&
    typeof content.group === 'string' &&
    (name === undefined || command === name)
  );
}

export const isInviteCommand = (c: Content): c is MembersCommand => isGroupCommand(c, CommandName.INVITE);
export const isExpelCommand = (c: Content): c is MembersCommand => isGroupCommand(c, CommandName.EXPEL);
export const isResetCommand = (c: Content): c is MembersCommand => isGroupCommand(c, CommandName.RESET);
export const isJoinCommand = (c: Content): c is GroupCommand => isGroupCommand(c, CommandName.JOIN);
export const isQuitCommand = (c: Content): c is GroupCommand => isGroupCommand(c, CommandName.QUIT);
export const isQueryCommand = (c: Content): c is GroupQueryCommand => isGroupCommand(c, CommandName.QUERY);
export const isHireCommand = (c: Content): c is AdminsCommand => isGroupCommand(c, CommandName.HIRE);
export const isFireCommand = (c: Content): c is AdminsCommand => isGroupCommand(c, CommandName.FIRE);
export const isResignCommand = (c: Content): c is GroupCommand => isGroupCommand(c, CommandName.RESIGN);

export function checkGroupCommand(ck: Check, json: JsonObject): void {
  const name = json['command'] as string;
  checkId(ck, json, 'group', true);
  checkIdList(ck, json, 'members', { nonEmpty: WITH_MEMBERS.includes(name) });
  checkIdList(ck, json, 'administrators');
  checkIdList(ck, json, 'assistants');
  checkTime(ck, json, 'last_time');
}
