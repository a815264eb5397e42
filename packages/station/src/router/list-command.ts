import {
  createBlockCommand,
  createMuteCommand,
  type BlockCommand,
  type Content,
  type MuteCommand,
} from '@dimkit/protocol/content';
import { parseId, withoutTerminal } from '@dimkit/protocol/mkm';
import type { ListKind } from '../store/index.js';
import type { CommandContext } from './command-context.js';
import { ReceiptText, createIdReceipt } from './receipt.js';

const TEXTS = {
  block: {
    received: [ReceiptText.BLOCK_RECEIVED, 'Block command received: ${did}.'],
    unchanged: [ReceiptText.BLOCK_NOT_CHANGED, 'Block command not changed: ${did}.'],
  },
  mute: {
    received: [ReceiptText.MUTE_RECEIVED, 'Mute command received: ${did}.'],
    unchanged: [ReceiptText.MUTE_NOT_CHANGED, 'Mute command not changed: ${did}.'],
  },
} as const;

/**
 * `block` / `mute` command to the station (station spec §4 item 4, wire spec §6.5): with `list`, the sender's
 * list is replaced ("Block received." / "Block not changed.", "Mute …" likewise); without, the stored list is
 * sent back as a command of the same name (`list: []` when none). IDs are kept without terminal. Block lists
 * drive the routing filter (station spec §3 step 1); mute lists only matter to push notifications.
 */
export async function processListCommand(
  ctx: CommandContext,
  kind: ListKind,
  content: BlockCommand | MuteCommand,
): Promise<Content[]> {
  if (content.list === undefined) {
    const list = await ctx.store.lists.get(ctx.senderKey, kind);
    return [kind === 'block' ? createBlockCommand({ list }) : createMuteCommand({ list })];
  }
  const list = content.list.map((id) => withoutTerminal(parseId(id)).text);
  const changed = await ctx.store.lists.set(ctx.senderKey, kind, list);
  const [text, template] = changed ? TEXTS[kind].received : TEXTS[kind].unchanged;
  return [createIdReceipt(text, ctx.message, template, ctx.sender.text, content.sn)];
}
