import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canSend, nextSessionState, type ConnectionState, type SessionEvent } from './session-state.js';

const STATES: ConnectionState[] = ['idle', 'connecting', 'handshaking', 'running', 'waiting', 'closed'];
const EVENTS: SessionEvent[] = ['start', 'opened', 'again', 'accepted', 'lost', 'retry', 'stop'];

describe('session state machine (station spec §2.2)', () => {
  it('follows the documented path to running and back through waiting', () => {
    const path: [SessionEvent, ConnectionState][] = [
      ['start', 'connecting'],
      ['opened', 'handshaking'],
      ['again', 'handshaking'],
      ['accepted', 'running'],
      ['again', 'handshaking'],
      ['accepted', 'running'],
      ['lost', 'waiting'],
      ['retry', 'connecting'],
      ['lost', 'waiting'],
      ['stop', 'closed'],
    ];
    let state: ConnectionState = 'idle';
    for (const [event, expected] of path) {
      state = nextSessionState(state, event)!;
      expect(state, event).toBe(expected);
    }
  });

  it('ignores events that mean nothing in a state', () => {
    expect(nextSessionState('idle', 'accepted')).toBeUndefined();
    expect(nextSessionState('connecting', 'accepted')).toBeUndefined(); // DIM! before the link is up
    expect(nextSessionState('waiting', 'opened')).toBeUndefined(); // a late report of a dropped link
    expect(nextSessionState('running', 'opened')).toBeUndefined();
    expect(nextSessionState('closed', 'start')).toBeUndefined();
    expect(nextSessionState('closed', 'retry')).toBeUndefined();
  });

  it('stop closes from every state, and nothing leaves closed', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...EVENTS), { maxLength: 30 }), (events) => {
        let state: ConnectionState = 'idle';
        for (const event of events) state = nextSessionState(state, event) ?? state;
        expect(STATES).toContain(state);
        expect(nextSessionState(state, 'stop')).toBe('closed');
        for (const event of EVENTS) expect(nextSessionState('closed', event) ?? 'closed').toBe('closed');
      }),
    );
  });

  it('only a running session may send anything but handshakes', () => {
    expect(STATES.filter(canSend)).toEqual(['running']);
  });
});
