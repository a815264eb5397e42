import { ReportTitle, type Content, type ReportCommand } from '@dimkit/protocol/content';
import type { CommandContext } from './command-context.js';
import { ReceiptText, createIdReceipt, createReceipt } from './receipt.js';

/**
 * `report` command (station spec §2.4; legacy `online`/`offline` names and `state` are turned into `title` by
 * the compat read filter): `online` marks the session active and delivers the inbox ("Online received.");
 * `offline` marks it inactive, so messages are kept in the inbox (no reply); other titles are not supported.
 */
export function processReportCommand(ctx: CommandContext, content: ReportCommand): Content[] {
  const time = content.time ?? ctx.message.time;
  const title = content.title;
  if (title === ReportTitle.ONLINE) {
    ctx.online(time);
    return [
      createIdReceipt(
        ReceiptText.ONLINE_RECEIVED,
        ctx.message,
        'Online command received: ${did}.',
        ctx.sender.text,
        content.sn,
      ),
    ];
  }
  if (title === ReportTitle.OFFLINE) {
    ctx.offline(time);
    return [];
  }
  return [
    createReceipt(ReceiptText.COMMAND_NOT_SUPPORT, ctx.message, {
      template: 'Report command (title: ${title}) not support yet!',
      replacements: { title: title ?? '' },
      sn: content.sn,
    }),
  ];
}
