import { createHandshakeCommand, HandshakeTitle, type Content, type HandshakeCommand } from '@dimkit/protocol/content';
import { withoutTerminal, type ID } from '@dimkit/protocol/mkm';
import type { Session } from './session.js';
import { sessionKeyMatches } from './session-key.js';

/** The speed-test greeting and its answer (station spec §2.2: "Nice to meet you!" → "Nice to meet you too!"). */
export const SAY_HI = 'Nice to meet you!';
export const HI_BACK = 'Nice to meet you too!';

/** What to do with a handshake command (station spec §2.2, wire spec §6.4). */
export type HandshakeOutcome =
  /** First contact or a stale key: answer `DIM?` with this connection's session key. */
  | { readonly kind: 'again' }
  /** The session key came back: bind the user, answer `DIM!`. */
  | { readonly kind: 'accepted' }
  /** The connection is bound to another user. */
  | { readonly kind: 'wrong-user' }
  /** "Nice to meet you!": answer "Nice to meet you too!". */
  | { readonly kind: 'hi' }
  /** "Nice to meet you too!": nothing to say. */
  | { readonly kind: 'ignore' }
  /** A title a client never sends (`DIM?`, `DIM!`, anything else): "Command not support." */
  | { readonly kind: 'unsupported'; readonly title: string };

/**
 * Decides on a handshake from `sender` (whose signature was verified) on `session`. The key is compared in
 * constant time. A connection already bound accepts a repeated handshake only from its own user.
 */
export function handshakeOutcome(session: Session, sender: ID, content: HandshakeCommand): HandshakeOutcome {
  const title = content.title;
  if (title === SAY_HI) return { kind: 'hi' };
  if (title === HI_BACK) return { kind: 'ignore' };
  if (title !== HandshakeTitle.HELLO) return { kind: 'unsupported', title };
  const bound = session.userKey;
  if (bound !== undefined && bound !== withoutTerminal(sender).text) return { kind: 'wrong-user' };
  return sessionKeyMatches(session.key, content.session) ? { kind: 'accepted' } : { kind: 'again' };
}

/** `[ip, port]` of the client as the station sees it (the reference's `remote_address`). */
export function remoteAddress(session: Session): [string, number] {
  return [session.conn.remoteAddress, session.conn.remotePort];
}

/**
 * The station's handshake answer for an outcome: `DIM?` or `DIM!` with the session key and
 * `remote_address`, or "Nice to meet you too!". Undefined for the outcomes answered otherwise.
 */
export function handshakeReply(session: Session, outcome: HandshakeOutcome): Content | undefined {
  let title: string;
  switch (outcome.kind) {
    case 'again':
      title = HandshakeTitle.AGAIN;
      break;
    case 'accepted':
      title = HandshakeTitle.SUCCESS;
      break;
    case 'hi':
      title = HI_BACK;
      break;
    default:
      return undefined;
  }
  const command = createHandshakeCommand({ title, session: session.key });
  return { ...command, remote_address: remoteAddress(session) } as Content;
}
