import {
  CommandName,
  isAnsCommand,
  isBlockCommand,
  isCommand,
  isDocumentsCommand,
  isLoginCommand,
  isMetaCommand,
  isMuteCommand,
  isReportCommand,
  type Content,
} from '@dimkit/protocol/content';
import { processAnsCommand } from './ans-command.js';
import type { CommandContext } from './command-context.js';
import { processDocumentsCommand } from './documents-command.js';
import { processListCommand } from './list-command.js';
import { processLoginCommand } from './login-command.js';
import { processMetaCommand } from './meta-command.js';
import { ReceiptText, createReceipt } from './receipt.js';
import { processReportCommand } from './report-command.js';

export interface ServeOptions {
  /**
   * The message was addressed to this station itself (its ID or `station@anywhere`): what the station does
   * not support is answered "Command not support." / "Content not support.". Broadcasts the station merely
   * also reads (`everyone@everywhere`, `anyone@anywhere`, …) get no such answer.
   */
  readonly addressed: boolean;
}

/**
 * Runs a content sent to the station (station spec §4 items 1–4, §2.3, §2.4) and answers the contents to reply
 * with. Handshakes are the session's business and never reach here; receipts are never answered (wire spec
 * §11 item 19).
 */
export async function serveContent(ctx: CommandContext, content: Content, options: ServeOptions): Promise<Content[]> {
  if (!isCommand(content)) {
    if (!options.addressed) return [];
    return [
      createReceipt(ReceiptText.CONTENT_NOT_SUPPORT, ctx.message, {
        template: 'Content (type: ${type}) not support yet!',
        replacements: { type: content.type },
        sn: content.sn,
      }),
    ];
  }
  if (isMetaCommand(content)) return processMetaCommand(ctx, content);
  if (isDocumentsCommand(content)) return processDocumentsCommand(ctx, content);
  if (isLoginCommand(content)) return processLoginCommand(ctx, content);
  if (isReportCommand(content)) return processReportCommand(ctx, content);
  if (isBlockCommand(content)) return processListCommand(ctx, 'block', content);
  if (isMuteCommand(content)) return processListCommand(ctx, 'mute', content);
  if (isAnsCommand(content)) return processAnsCommand(ctx, content);
  if (content.command === CommandName.RECEIPT || !options.addressed) return [];
  return [
    createReceipt(ReceiptText.COMMAND_NOT_SUPPORT, ctx.message, {
      template: 'Command (name: ${command}) not support yet!',
      replacements: { command: content.command },
      sn: content.sn,
    }),
  ];
}
