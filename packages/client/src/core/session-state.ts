/**
 * The connection state machine of a messenger (station spec §2.2, §6 step 3–4, §1.7):
 *
 * ```
 * idle ─start→ connecting ─opened→ handshaking ─accepted→ running
 *                  │                  │   ▲                  │
 *                  └──────lost────────┴───┼──── again ───────┤
 *                                         │                  │
 *              waiting ←──────────────────┴────── lost ──────┘
 *                 └──retry→ connecting          any ─stop→ closed
 * ```
 * `again` is a `DIM?` from the station (it wants the handshake redone, e.g. with `force`); `lost`
 * is a closed link, a handshake deadline or a dead link (nothing received for too long).
 */
export type ConnectionState = 'idle' | 'connecting' | 'handshaking' | 'running' | 'waiting' | 'closed';

export type SessionEvent = 'start' | 'opened' | 'again' | 'accepted' | 'lost' | 'retry' | 'stop';

const TRANSITIONS: Readonly<Record<ConnectionState, Partial<Record<SessionEvent, ConnectionState>>>> = {
  idle: { start: 'connecting', stop: 'closed' },
  connecting: { opened: 'handshaking', lost: 'waiting', stop: 'closed' },
  handshaking: { again: 'handshaking', accepted: 'running', lost: 'waiting', stop: 'closed' },
  running: { again: 'handshaking', lost: 'waiting', stop: 'closed' },
  waiting: { retry: 'connecting', stop: 'closed' },
  closed: { stop: 'closed' },
};

/**
 * The state after `event`, or undefined when the event means nothing in `state` (a late report
 * from a link already given up, a `DIM!` nobody asked for): the caller ignores it.
 */
export function nextSessionState(state: ConnectionState, event: SessionEvent): ConnectionState | undefined {
  return TRANSITIONS[state][event];
}

/** Whether anything but handshake messages may be sent (station spec §2.2: nothing before RUNNING). */
export function canSend(state: ConnectionState): boolean {
  return state === 'running';
}
