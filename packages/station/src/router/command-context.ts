import type { Identity } from '@dimkit/protocol/account';
import type { ReliableMessage } from '@dimkit/protocol/dkd';
import type { ID } from '@dimkit/protocol/mkm';
import type { LearnDeps } from './attachments.js';
import type { RefusalReason } from './metrics.js';

/**
 * What a station command processor may use: the store (through `LearnDeps`), the station's identity and ANS
 * records, who sent the command (verified) and the message it came in (for receipts), the two presence
 * switches `login` and `report` flip, and the refusal counter.
 */
export interface CommandContext extends LearnDeps {
  readonly station: Identity;
  readonly ans: Readonly<Record<string, string>>;
  /** The verified sender (the session's user). */
  readonly sender: ID;
  /** The sender without terminal: the key its lists, login and inbox are kept under. */
  readonly senderKey: string;
  /** The message the command came in (after the compat read filter). */
  readonly message: ReliableMessage;
  /** The session's user is online (again) from `time` on: mark the session active and deliver its inbox. */
  online(time: number): void;
  /** The session's user went offline at `time`: keep its messages in the inbox. */
  offline(time: number): void;
  /** Counts something the command carried that the station refused (a bad meta or document). */
  refused(reason: RefusalReason): void;
}
