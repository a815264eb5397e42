import { ansNames, createAnsCommand, type AnsCommand, type Content } from '@dimkit/protocol/content';
import { parseId } from '@dimkit/protocol/mkm';
import type { CommandContext } from './command-context.js';
import { ReceiptText, createReceipt } from './receipt.js';

/** Most names answered in one `ans` query (the rest are reported missed). */
export const MAX_ANS_NAMES = 256;

/** The ID a name stands for: its ANS record, else the name itself when it is an ID string; else undefined. */
export function resolveAnsName(ans: Readonly<Record<string, string>>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(ans, name)) return ans[name];
  try {
    return parseId(name).text;
  } catch {
    return undefined;
  }
}

/**
 * `ans` command to the station (station spec §4 item 3): `names` (space separated) answered with
 * `{cmd: "ans", names, records: {name: ID}, missed: [names]}`; "ANS command error." for no names.
 */
export function processAnsCommand(ctx: CommandContext, content: AnsCommand): Content[] {
  const names = ansNames(content);
  if (names.length === 0) return [createReceipt(ReceiptText.ANS_ERROR, ctx.message, { sn: content.sn })];
  const records: Record<string, string> = {};
  const missed: string[] = [];
  names.forEach((name, i) => {
    const id = i < MAX_ANS_NAMES ? resolveAnsName(ctx.ans, name) : undefined;
    if (id === undefined) missed.push(name);
    else records[name] = id;
  });
  const response = createAnsCommand({ names: content.names ?? names.join(' '), records });
  return [missed.length === 0 ? response : ({ ...response, missed } as Content)];
}
