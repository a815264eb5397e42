import type { JsonObject } from '../encoding/json.js';
import { checkString, type Check } from './_check.js';
import { CommandName } from './command-name.js';
import { createCommand, isCommand, type Command } from './command.js';
import { requireArgString, type Content, type ContentOptions } from './content.js';

/**
 * Report command (wire spec §6.5), sent to `station@anywhere`: `title` "online" / "offline"
 * (legacy `state` foreground/background, or the state as the command name: read by compat).
 */
export type ReportCommand = Command & {
  readonly command: typeof CommandName.REPORT;
  readonly title?: string;
};

export const ReportTitle = { ONLINE: 'online', OFFLINE: 'offline' } as const;

export function createReportCommand(fields: { readonly title: string }, options: ContentOptions = {}): ReportCommand {
  requireArgString(fields.title, 'title');
  return createCommand(CommandName.REPORT, { title: fields.title }, options) as ReportCommand;
}

export function isReportCommand(content: Content): content is ReportCommand {
  return isCommand(content, CommandName.REPORT);
}

export function checkReportCommand(ck: Check, json: JsonObject): void {
  checkString(ck, json, 'title');
}
