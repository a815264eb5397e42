import { describe, expect, it } from 'vitest';
import { createHandshakeCommand, type HandshakeCommand } from '@dimkit/protocol/content';
import { parseId } from '@dimkit/protocol/mkm';
import type { Connection } from '../transport/index.js';
import { handshakeOutcome, handshakeReply } from './handshake.js';
import { Presence } from './presence.js';
import { createSessionKey, sessionKeyMatches } from './session-key.js';
import { Session, type SessionLimits } from './session.js';

const ALICE = parseId('alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn');
const BOB = parseId('0x45FDd9162982319eaB94880Cc2836C4AFC1a57a1');

class Conn implements Connection {
  readonly id = 'c1';
  readonly transport = 'mtp' as const;
  readonly remoteAddress = '10.0.0.7';
  readonly remotePort = 4242;
  readonly closed = false;
  readonly bufferedBytes = 0;
  paused = false;
  pauses = 0;
  async send(): Promise<boolean> {
    return true;
  }
  close(): void {}
  pause(): void {
    this.paused = true;
    this.pauses++;
  }
  resume(): void {
    this.paused = false;
  }
}

const LIMITS: SessionLimits = {
  maxSuspended: 3,
  maxSuspendedBytes: 10,
  maxQueued: 4,
  maxQueuedBytes: 1000,
  maxInFlight: 2,
  maxRefusals: 3,
};

const bytes = (text: string) => new TextEncoder().encode(text);
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('session keys', () => {
  it('are 64 lower-case hex digits from the CSPRNG, different each time', () => {
    const keys = new Set(Array.from({ length: 100 }, createSessionKey));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('match only the exact string; anything else (other key, prefix, case, non-string) does not', () => {
    const key = createSessionKey();
    expect(sessionKeyMatches(key, key)).toBe(true);
    expect(sessionKeyMatches(key, createSessionKey())).toBe(false);
    expect(sessionKeyMatches(key, key.slice(0, 63))).toBe(false);
    expect(sessionKeyMatches(key, key.toUpperCase())).toBe(false);
    for (const other of [undefined, null, 42, [key], { key }]) expect(sessionKeyMatches(key, other)).toBe(false);
  });
});

describe('Session', () => {
  it('processes received payloads one at a time, in order, on copies', async () => {
    const seen: string[] = [];
    let running = 0;
    const session = new Session(
      new Conn(),
      LIMITS,
      async (_s, payload) => {
        running++;
        expect(running).toBe(1);
        await tick();
        seen.push(new TextDecoder().decode(payload));
        running--;
      },
      () => {},
    );
    const shared = bytes('one');
    session.receive(shared);
    shared[0] = 0x58; // the caller may reuse its buffer
    session.receive(bytes('two'));
    session.receive(bytes('three'));
    while (seen.length < 3) await tick();
    expect(seen).toEqual(['one', 'two', 'three']);
  });

  it('pauses the connection when the queue is full and resumes it once it drained', async () => {
    const conn = new Conn();
    let release: () => void = () => {};
    const session = new Session(
      conn,
      LIMITS,
      () => new Promise<void>((resolve) => (release = resolve)),
      () => {},
    );
    for (let i = 0; i < 5; i++) session.receive(bytes(`m${i}`));
    expect(conn.paused).toBe(true);
    for (let i = 0; i < 5; i++) {
      release();
      await tick();
    }
    expect(conn.paused).toBe(false);
  });

  it('waits (paused) while maxInFlight outcomes are open, and goes on when one settles', async () => {
    const conn = new Conn();
    const processed: number[] = [];
    let settle: () => void = () => {};
    const session = new Session(
      conn,
      LIMITS,
      async (s, payload) => {
        processed.push(payload[0]!);
        s.track(new Promise<void>((resolve) => (settle = resolve)));
      },
      () => {},
    );
    for (let i = 0; i < 3; i++) session.receive(Uint8Array.of(i));
    await tick();
    expect(processed).toEqual([0, 1]);
    expect(conn.paused).toBe(true);
    settle();
    await tick();
    await tick();
    expect(processed).toEqual([0, 1, 2]);
  });

  it('reports processor failures and goes on with the next payload', async () => {
    const errors: unknown[] = [];
    const done: number[] = [];
    const session = new Session(
      new Conn(),
      LIMITS,
      async (_s, payload) => {
        if (payload[0] === 1) throw new Error('bug');
        done.push(payload[0]!);
      },
      (error) => errors.push(error),
    );
    for (let i = 0; i < 3; i++) session.receive(Uint8Array.of(i));
    while (done.length < 2) await tick();
    expect(done).toEqual([0, 2]);
    expect(errors).toHaveLength(1);
  });

  it('suspends at most maxSuspended messages and maxSuspendedBytes, and hands them back in order once', () => {
    const session = new Session(
      new Conn(),
      LIMITS,
      async () => {},
      () => {},
    );
    expect(session.suspend(bytes('aaaa'))).toBe(true);
    expect(session.suspend(bytes('bbbb'))).toBe(true);
    expect(session.suspend(bytes('ccc'))).toBe(false); // 11 bytes > 10
    expect(session.suspend(bytes('cc'))).toBe(true);
    expect(session.suspend(bytes(''))).toBe(false); // 4 messages > 3
    expect(session.takeSuspended().map((b) => new TextDecoder().decode(b))).toEqual(['aaaa', 'bbbb', 'cc']);
    expect(session.takeSuspended()).toEqual([]);
  });

  it('binds once, to one user (terminal ignored), and orders active toggles by their time', () => {
    const session = new Session(
      new Conn(),
      LIMITS,
      async () => {},
      () => {},
    );
    expect(session.active).toBe(false);
    session.bind(parseId(`${ALICE.text}/phone`));
    expect(session.userKey).toBe(ALICE.text);
    expect(session.active).toBe(true);
    expect(() => session.bind(BOB)).toThrow(RangeError);
    expect(session.setActive(false, 100)).toBe(true);
    expect(session.setActive(true, 50)).toBe(false); // stale toggle
    expect(session.active).toBe(false);
    expect(session.setActive(true, 150)).toBe(true);
    session.close();
    expect(session.active).toBe(false);
  });

  it('counts refusals up to maxRefusals', () => {
    const session = new Session(
      new Conn(),
      LIMITS,
      async () => {},
      () => {},
    );
    expect([session.refuse(), session.refuse(), session.refuse()]).toEqual([false, false, true]);
  });
});

describe('handshake decisions (station spec §2.2)', () => {
  const hello = (session?: string): HandshakeCommand =>
    createHandshakeCommand({ title: 'Hello world!', ...(session === undefined ? {} : { session }) });

  it('asks again without the key or with a wrong one, accepts the right key, and names the reply', () => {
    const session = new Session(
      new Conn(),
      LIMITS,
      async () => {},
      () => {},
    );
    expect(handshakeOutcome(session, ALICE, hello()).kind).toBe('again');
    expect(handshakeOutcome(session, ALICE, hello(createSessionKey())).kind).toBe('again');
    const accepted = handshakeOutcome(session, ALICE, hello(session.key));
    expect(accepted.kind).toBe('accepted');
    const reply = handshakeReply(session, accepted)!;
    expect(reply['title']).toBe('DIM!');
    expect(reply['session']).toBe(session.key);
    expect(reply['remote_address']).toEqual(['10.0.0.7', 4242]);
    expect(handshakeReply(session, handshakeOutcome(session, ALICE, hello()))!['title']).toBe('DIM?');
  });

  it('refuses another user on a bound connection, and titles a client never sends', () => {
    const session = new Session(
      new Conn(),
      LIMITS,
      async () => {},
      () => {},
    );
    session.bind(ALICE);
    expect(handshakeOutcome(session, BOB, hello(session.key)).kind).toBe('wrong-user');
    expect(handshakeOutcome(session, ALICE, createHandshakeCommand({ title: 'DIM!' }))).toEqual({
      kind: 'unsupported',
      title: 'DIM!',
    });
    const hi = handshakeOutcome(session, ALICE, createHandshakeCommand({ title: 'Nice to meet you!' }));
    expect(handshakeReply(session, hi)!['title']).toBe('Nice to meet you too!');
    expect(handshakeOutcome(session, ALICE, createHandshakeCommand({ title: 'Nice to meet you too!' })).kind).toBe(
      'ignore',
    );
  });
});

describe('Presence', () => {
  it('tracks several devices per user and only active ones receive', () => {
    const presence = new Presence();
    const a = new Session(
      new Conn(),
      LIMITS,
      async () => {},
      () => {},
    );
    const b = new Session(
      new Conn(),
      LIMITS,
      async () => {},
      () => {},
    );
    a.bind(ALICE);
    b.bind(parseId(`${ALICE.text}/tablet`));
    expect(presence.add(a)).toBe(true);
    expect(presence.add(b)).toBe(false);
    expect(presence.users).toBe(1);
    expect(presence.sessions).toBe(2);
    b.setActive(false, 1);
    expect(presence.active(ALICE.text)).toEqual([a]);
    expect(presence.remove(a)).toBe(false);
    expect(presence.remove(b)).toBe(true);
    expect(presence.has(ALICE.text)).toBe(false);
    expect(() =>
      presence.add(
        new Session(
          new Conn(),
          LIMITS,
          async () => {},
          () => {},
        ),
      ),
    ).toThrow(RangeError);
  });
});
