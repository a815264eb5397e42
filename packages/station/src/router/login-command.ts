import type { Content, LoginCommand } from '@dimkit/protocol/content';
import { isJsonObject } from '@dimkit/protocol/encoding';
import { parseId, withoutTerminal } from '@dimkit/protocol/mkm';
import type { CommandContext } from './command-context.js';
import { ReceiptText, createIdReceipt } from './receipt.js';

/**
 * `login` command (station spec §2.3), normally broadcast to `everyone@everywhere` after the handshake and
 * every 5 minutes. Without a `station` object it is ignored. It is stored as the sender's latest login (newer
 * `time` wins), together with the whole signed message. If it names this station, the session is active again
 * (its inbox is delivered) and the reply is "Login received."; if it names another station the user is
 * roaming there: nothing more to do until stations federate, and no reply (as the reference).
 * The login is filed under the verified sender, whatever its `did` says.
 */
export async function processLoginCommand(ctx: CommandContext, content: LoginCommand): Promise<Content[]> {
  const station = content.station;
  if (!isJsonObject(station)) return [];
  const time = content.time ?? ctx.message.time;
  let stationId: string | undefined;
  try {
    stationId = station['did'] === undefined ? undefined : withoutTerminal(parseId(station['did'])).text;
  } catch {
    stationId = undefined;
  }
  await ctx.store.logins.put(ctx.senderKey, {
    time,
    ...(stationId === undefined ? {} : { station: stationId }),
    message: ctx.message,
  });
  if (stationId !== ctx.station.id.text) return [];
  ctx.online(time);
  return [
    createIdReceipt(
      ReceiptText.LOGIN_RECEIVED,
      ctx.message,
      'Login command received: ${did}.',
      ctx.sender.text,
      content.sn,
    ),
  ];
}
