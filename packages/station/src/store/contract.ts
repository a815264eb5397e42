import { DimError } from '@dimkit/protocol';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_PER_RECEIVER,
  DEFAULT_RETENTION_SECONDS,
  type InboxPutResult,
  type Store,
  type StoreOptions,
} from './store.js';

/** Opens an empty store honouring `options`; called once or more per test. */
export type MakeStore = (options?: StoreOptions) => Promise<Store>;

/**
 * The behaviour every Store backend must show, as a vitest suite: `describeStoreContract('sqlite', make)`.
 * `makeStore` must return an EMPTY store each time (fresh file, schema, or truncated tables) that honours the
 * StoreOptions it is given. Stores a test opened are closed after it, then `cleanup` runs.
 * Not exported from the store index: it imports vitest.
 */
export function describeStoreContract(name: string, makeStore: MakeStore, cleanup?: () => Promise<void> | void): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const open = async (options?: StoreOptions): Promise<Store> => {
      const store = await makeStore(options);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      await cleanup?.();
    });

    describe('metas', () => {
      it('keeps the first meta of an ID forever: a second put is a no-op answering false', async () => {
        const store = await open();
        expect(await store.metas.put('alice@abc', { type: '1', key: { data: 'first' } })).toBe(true);
        expect(await store.metas.put('alice@abc', { type: '1', key: { data: 'second' } })).toBe(false);
        expect(await store.metas.get('alice@abc')).toEqual({ type: '1', key: { data: 'first' } });
      });

      it('answers undefined for an ID without meta and keeps IDs apart', async () => {
        const store = await open();
        await store.metas.put('alice@abc', { seed: 'alice' });
        expect(await store.metas.get('bob@def')).toBeUndefined();
        expect(await store.metas.put('bob@def', { seed: 'bob' })).toBe(true);
        expect(await store.metas.get('alice@abc')).toEqual({ seed: 'alice' });
        expect(await store.metas.get('bob@def')).toEqual({ seed: 'bob' });
      });

      it('round-trips any JSON object', async () => {
        const store = await open();
        await fc.assert(
          fc.asyncProperty(fc.uuid(), fc.dictionary(fc.string(), fc.jsonValue()), async (id, meta) => {
            await store.metas.put(id, meta as never);
            // JSON semantics: -0 is written as 0.
            expect(await store.metas.get(id)).toEqual(JSON.parse(JSON.stringify(meta)));
          }),
          { numRuns: 50 },
        );
      });
    });

    describe('documents', () => {
      it('returns a stored document with its type and time', async () => {
        const store = await open();
        expect(await store.documents.put('alice@abc', 'visa', { name: 'Alice', time: 100 }, 100)).toBe('stored');
        expect(await store.documents.get('alice@abc', 'visa')).toEqual({
          type: 'visa',
          time: 100,
          document: { name: 'Alice', time: 100 },
        });
      });

      it('replaces a document only with a newer time: equal is unchanged, older is refused', async () => {
        const store = await open();
        await store.documents.put('alice@abc', 'visa', { v: 1 }, 100.5);
        expect(await store.documents.put('alice@abc', 'visa', { v: 2 }, 100.5)).toBe('unchanged');
        expect(await store.documents.put('alice@abc', 'visa', { v: 3 }, 99)).toBe('older');
        expect((await store.documents.get('alice@abc', 'visa'))?.document).toEqual({ v: 1 });
        expect(await store.documents.put('alice@abc', 'visa', { v: 4 }, 100.75)).toBe('stored');
        expect(await store.documents.get('alice@abc', 'visa')).toEqual({
          type: 'visa',
          time: 100.75,
          document: { v: 4 },
        });
      });

      it('keeps the newest of any sequence of puts', async () => {
        const store = await open();
        await fc.assert(
          fc.asyncProperty(
            fc.uuid(),
            fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1 }),
            async (id, times) => {
              let newest = -Infinity;
              for (const time of times) {
                const want = time > newest ? 'stored' : time === newest ? 'unchanged' : 'older';
                expect(await store.documents.put(id, 'visa', { time }, time)).toBe(want);
                newest = Math.max(newest, time);
              }
              expect((await store.documents.get(id, 'visa'))?.time).toBe(newest);
            },
          ),
          { numRuns: 30 },
        );
      });

      it('keeps one document per type; without a type get answers the newest of any type', async () => {
        const store = await open();
        await store.documents.put('group@abc', 'bulletin', { kind: 'bulletin' }, 200);
        await store.documents.put('group@abc', 'profile', { kind: 'profile' }, 100);
        expect((await store.documents.get('group@abc', 'profile'))?.document).toEqual({ kind: 'profile' });
        expect((await store.documents.get('group@abc'))?.type).toBe('bulletin');
        await store.documents.put('group@abc', 'profile', { kind: 'profile2' }, 300);
        expect(await store.documents.get('group@abc')).toEqual({
          type: 'profile',
          time: 300,
          document: { kind: 'profile2' },
        });
      });

      it('lists every document of an ID, newest first', async () => {
        const store = await open();
        await store.documents.put('alice@abc', 'visa', { a: 1 }, 10);
        await store.documents.put('alice@abc', 'profile', { b: 2 }, 20);
        await store.documents.put('bob@def', 'visa', { c: 3 }, 30);
        expect(await store.documents.list('alice@abc')).toEqual([
          { type: 'profile', time: 20, document: { b: 2 } },
          { type: 'visa', time: 10, document: { a: 1 } },
        ]);
        expect(await store.documents.list('carol@ghi')).toEqual([]);
      });

      it('answers undefined for an unknown ID or type', async () => {
        const store = await open();
        await store.documents.put('alice@abc', 'visa', { a: 1 }, 10);
        expect(await store.documents.get('bob@def')).toBeUndefined();
        expect(await store.documents.get('alice@abc', 'bulletin')).toBeUndefined();
      });
    });

    describe('inbox', () => {
      const msg = (signature: string, time = 1, payload: Uint8Array = bytes(signature)) => ({
        signature,
        time,
        payload,
      });

      it('lists items in arrival order with increasing sequence numbers', async () => {
        const store = await open();
        for (const sig of ['c', 'a', 'b']) expect(await store.inbox.put('bob', msg(sig, 5))).toBe('stored');
        const items = await store.inbox.list('bob', { limit: 10 });
        expect(items.map((i) => i.signature)).toEqual(['c', 'a', 'b']);
        expect(items.map((i) => i.time)).toEqual([5, 5, 5]);
        expect(isIncreasing(items.map((i) => i.seq))).toBe(true);
        expect(items[1]!.payload).toEqual(bytes('a'));
      });

      it('totals the items of all receivers, following puts, duplicates and removals', async () => {
        const store = await open();
        expect(await store.inbox.total()).toBe(0);
        for (const sig of ['a', 'b', 'c']) await store.inbox.put('bob', msg(sig));
        await store.inbox.put('carol', msg('a'));
        await store.inbox.put('carol', msg('a'));
        expect(await store.inbox.total()).toBe(4);
        const [first] = await store.inbox.list('bob', { limit: 1 });
        await store.inbox.remove('bob', [first!.seq]);
        expect(await store.inbox.total()).toBe(3);
        expect(await store.inbox.total()).toBe((await store.inbox.count('bob')) + (await store.inbox.count('carol')));
      });

      it('answers duplicate for a signature the receiver already has, per receiver', async () => {
        const store = await open();
        expect(await store.inbox.put('bob', msg('sig1', 1, bytes('one')))).toBe('stored');
        expect(await store.inbox.put('bob', msg('sig1', 2, bytes('two')))).toBe('duplicate');
        expect(await store.inbox.put('carol', msg('sig1'))).toBe('stored');
        const items = await store.inbox.list('bob', { limit: 10 });
        expect(items).toHaveLength(1);
        expect(items[0]!.payload).toEqual(bytes('one'));
        expect(await store.inbox.count('carol')).toBe(1);
      });

      it('answers quota beyond maxPerReceiver, duplicate before quota, and frees room on removal', async () => {
        const store = await open({ maxPerReceiver: 3 });
        for (const sig of ['a', 'b', 'c']) expect(await store.inbox.put('bob', msg(sig))).toBe('stored');
        expect(await store.inbox.put('bob', msg('d'))).toBe('quota');
        expect(await store.inbox.put('bob', msg('a'))).toBe('duplicate');
        expect(await store.inbox.put('carol', msg('d'))).toBe('stored');
        const [first] = await store.inbox.list('bob', { limit: 1 });
        expect(await store.inbox.remove('bob', [first!.seq])).toBe(1);
        expect(await store.inbox.put('bob', msg('d'))).toBe('stored');
        expect((await store.inbox.list('bob', { limit: 10 })).map((i) => i.signature)).toEqual(['b', 'c', 'd']);
      });

      it(`holds at most ${DEFAULT_MAX_PER_RECEIVER} items per receiver by default`, async () => {
        const store = await open();
        const results = await Promise.all(
          Array.from({ length: DEFAULT_MAX_PER_RECEIVER + 2 }, (_, i) => store.inbox.put('bob', msg(`s${i}`))),
        );
        expect(results.filter((r) => r === 'stored')).toHaveLength(DEFAULT_MAX_PER_RECEIVER);
        expect(results.slice(-2)).toEqual(['quota', 'quota']);
        expect(await store.inbox.count('bob')).toBe(DEFAULT_MAX_PER_RECEIVER);
      });

      it('pages with limit and afterSeq', async () => {
        const store = await open();
        for (let i = 0; i < 7; i++) await store.inbox.put('bob', msg(`s${i}`));
        const page1 = await store.inbox.list('bob', { limit: 3 });
        const page2 = await store.inbox.list('bob', { limit: 3, afterSeq: page1[2]!.seq });
        const page3 = await store.inbox.list('bob', { limit: 3, afterSeq: page2[2]!.seq });
        expect([...page1, ...page2, ...page3].map((i) => i.signature)).toEqual([
          's0',
          's1',
          's2',
          's3',
          's4',
          's5',
          's6',
        ]);
        expect(page3).toHaveLength(1);
        expect(await store.inbox.list('bob', { limit: 3, afterSeq: page3[0]!.seq })).toEqual([]);
      });

      it('removes only the given items of the given receiver', async () => {
        const store = await open();
        for (const sig of ['a', 'b', 'c']) await store.inbox.put('bob', msg(sig));
        await store.inbox.put('carol', msg('x'));
        const bob = await store.inbox.list('bob', { limit: 10 });
        const [carolItem] = await store.inbox.list('carol', { limit: 10 });
        // carol's seq under bob's name removes nothing; an unknown seq neither
        expect(await store.inbox.remove('bob', [carolItem!.seq, 999_999_999])).toBe(0);
        expect(await store.inbox.remove('bob', [bob[0]!.seq, bob[2]!.seq, bob[2]!.seq])).toBe(2);
        expect((await store.inbox.list('bob', { limit: 10 })).map((i) => i.signature)).toEqual(['b']);
        expect(await store.inbox.count('carol')).toBe(1);
        expect(await store.inbox.remove('bob', [])).toBe(0);
      });

      it('queues a removed signature again under a new, higher sequence number', async () => {
        const store = await open();
        await store.inbox.put('bob', msg('a'));
        await store.inbox.put('bob', msg('b'));
        const [a, b] = await store.inbox.list('bob', { limit: 10 });
        await store.inbox.remove('bob', [a!.seq, b!.seq]);
        expect(await store.inbox.put('bob', msg('a'))).toBe('stored');
        const [again] = await store.inbox.list('bob', { limit: 10 });
        expect(again!.seq).toBeGreaterThan(b!.seq);
      });

      it('counts per receiver', async () => {
        const store = await open();
        expect(await store.inbox.count('bob')).toBe(0);
        await store.inbox.put('bob', msg('a'));
        await store.inbox.put('bob', msg('b'));
        await store.inbox.put('carol', msg('a'));
        expect(await store.inbox.count('bob')).toBe(2);
        expect(await store.inbox.count('carol')).toBe(1);
      });

      it('purges items that arrived more than retentionSeconds ago, by arrival not message time', async () => {
        let clock = 1_700_000_000;
        const store = await open({ retentionSeconds: 3600, now: () => clock });
        await store.inbox.put('bob', msg('old', 1)); // arrives at t0; its message time is ancient
        clock += 1800;
        await store.inbox.put('bob', msg('new', 1));
        await store.inbox.put('carol', msg('new', 1));
        expect(await store.inbox.purgeExpired(1_700_000_000 + 3600)).toBe(0); // exactly the retention: kept
        expect(await store.inbox.purgeExpired(1_700_000_000 + 3601)).toBe(1);
        expect((await store.inbox.list('bob', { limit: 10 })).map((i) => i.signature)).toEqual(['new']);
        expect(await store.inbox.count('bob')).toBe(1);
        expect(await store.inbox.purgeExpired(clock + 3601)).toBe(2);
        expect(await store.inbox.count('bob')).toBe(0);
        expect(await store.inbox.count('carol')).toBe(0);
      });

      it('keeps items 7 days by default', async () => {
        const t0 = 1_700_000_000;
        const store = await open({ now: () => t0 });
        await store.inbox.put('bob', msg('a'));
        expect(DEFAULT_RETENTION_SECONDS).toBe(604_800);
        expect(await store.inbox.purgeExpired(t0 + DEFAULT_RETENTION_SECONDS)).toBe(0);
        expect(await store.inbox.purgeExpired(t0 + DEFAULT_RETENTION_SECONDS + 1)).toBe(1);
      });

      it('returns payloads byte-exact: every byte value, invalid UTF-8, empty, 1 MiB', async () => {
        const store = await open();
        const big = new Uint8Array(1 << 20);
        for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
        const payloads: Record<string, Uint8Array> = {
          all: Uint8Array.from({ length: 256 }, (_, i) => i),
          // lone surrogate (ED A0 80), overlong NUL (C0 80), bare continuation, FF FE, truncated sequence
          invalidUtf8: new Uint8Array([0xed, 0xa0, 0x80, 0xc0, 0x80, 0x80, 0xff, 0xfe, 0x00, 0xe2, 0x82]),
          empty: new Uint8Array(0),
          nul: new Uint8Array([0, 0, 0]),
          big,
        };
        for (const [sig, payload] of Object.entries(payloads)) await store.inbox.put('bob', msg(sig, 1, payload));
        const items = await store.inbox.list('bob', { limit: 10 });
        for (const item of items) {
          expect(item.payload).toBeInstanceOf(Uint8Array);
          expect(equalBytes(item.payload, payloads[item.signature]!)).toBe(true);
        }
        expect(items).toHaveLength(5);
      });

      it('returns any payload byte-exact', async () => {
        const store = await open();
        await fc.assert(
          fc.asyncProperty(fc.uuid(), fc.uint8Array({ maxLength: 4096 }), async (sig, payload) => {
            await store.inbox.put('prop', msg(sig, 1, payload));
            const items = await store.inbox.list('prop', { limit: 1 });
            expect(items[0]!.signature).toBe(sig);
            expect(equalBytes(items[0]!.payload, payload)).toBe(true);
            await store.inbox.remove('prop', [items[0]!.seq]);
          }),
          { numRuns: 100 },
        );
      });

      it('copies the payload when put is called', async () => {
        const store = await open();
        const payload = bytes('original');
        const pending = store.inbox.put('bob', msg('a', 1, payload));
        payload.fill(0);
        expect(await pending).toBe('stored');
        expect((await store.inbox.list('bob', { limit: 1 }))[0]!.payload).toEqual(bytes('original'));
      });

      it('stores 1000 concurrent puts exactly once each, listed in call order', async () => {
        const store = await open();
        const n = 1000;
        const results = await Promise.all(
          Array.from({ length: n }, (_, i) => store.inbox.put('bob', msg(`sig-${i}`, i, bytes(`payload-${i}`)))),
        );
        expect(results.every((r) => r === 'stored')).toBe(true);
        const items = await store.inbox.list('bob', { limit: 2 * n });
        expect(items.map((i) => i.signature)).toEqual(Array.from({ length: n }, (_, i) => `sig-${i}`));
        expect(isIncreasing(items.map((i) => i.seq))).toBe(true);
        expect(items.every((item, i) => equalBytes(item.payload, bytes(`payload-${i}`)) && item.time === i)).toBe(true);
        expect(await store.inbox.count('bob')).toBe(n);
      });

      it('stores each signature once when the same puts race each other', async () => {
        const store = await open();
        const puts: Array<Promise<InboxPutResult>> = [];
        for (let round = 0; round < 3; round++) {
          for (let i = 0; i < 300; i++) puts.push(store.inbox.put(`r${i % 3}`, msg(`sig-${i}`)));
        }
        const results = await Promise.all(puts);
        expect(results.slice(0, 300).every((r) => r === 'stored')).toBe(true);
        expect(results.slice(300).every((r) => r === 'duplicate')).toBe(true);
        for (const r of ['r0', 'r1', 'r2']) expect(await store.inbox.count(r)).toBe(100);
      });

      it('enforces the quota exactly under concurrent puts', async () => {
        const store = await open({ maxPerReceiver: 10 });
        const results = await Promise.all(Array.from({ length: 25 }, (_, i) => store.inbox.put('bob', msg(`s${i}`))));
        expect(results.filter((r) => r === 'stored')).toHaveLength(10);
        expect(results.filter((r) => r === 'quota')).toHaveLength(15);
        expect(await store.inbox.count('bob')).toBe(10);
      });

      it('rejects a caller bug with TypeError or RangeError', async () => {
        const store = await open();
        await expect(store.inbox.list('bob', { limit: 0 })).rejects.toBeInstanceOf(RangeError);
        await expect(store.inbox.list('bob', { limit: 1.5 })).rejects.toBeInstanceOf(RangeError);
        await expect(
          store.inbox.put('bob', { signature: 'a', time: 1, payload: 'text' as unknown as Uint8Array }),
        ).rejects.toBeInstanceOf(TypeError);
        await expect(store.inbox.put('', msg('a'))).rejects.toBeInstanceOf(TypeError);
        await expect(store.inbox.put('bob', msg('a', Number.NaN))).rejects.toBeInstanceOf(TypeError);
        // a rejected caller does not affect others queued with it
        const [bad, good] = await Promise.allSettled([
          store.inbox.put('bob', msg('')),
          store.inbox.put('bob', msg('fine')),
        ]);
        expect(bad.status).toBe('rejected');
        expect(good).toEqual({ status: 'fulfilled', value: 'stored' });
      });
    });

    describe('lists', () => {
      it('answers an empty list for a user who set none', async () => {
        const store = await open();
        expect(await store.lists.get('alice', 'block')).toEqual([]);
        expect(await store.lists.has('alice', 'block', 'bob')).toBe(false);
      });

      it('replaces a list, keeping order and dropping duplicates; answers false when nothing changes', async () => {
        const store = await open();
        expect(await store.lists.set('alice', 'block', ['carol', 'bob', 'carol', 'dave'])).toBe(true);
        expect(await store.lists.get('alice', 'block')).toEqual(['carol', 'bob', 'dave']);
        expect(await store.lists.set('alice', 'block', ['carol', 'bob', 'dave'])).toBe(false);
        expect(await store.lists.set('alice', 'block', ['bob', 'carol', 'dave'])).toBe(true); // order is content
        expect(await store.lists.set('alice', 'block', ['erin'])).toBe(true);
        expect(await store.lists.get('alice', 'block')).toEqual(['erin']);
        expect(await store.lists.set('alice', 'block', [])).toBe(true);
        expect(await store.lists.get('alice', 'block')).toEqual([]);
        expect(await store.lists.has('alice', 'block', 'erin')).toBe(false);
        expect(await store.lists.set('alice', 'block', ['erin'])).toBe(true);
        expect(await store.lists.has('alice', 'block', 'erin')).toBe(true);
      });

      it('tells whether an ID is on a list, keeping kinds and owners apart', async () => {
        const store = await open();
        await store.lists.set('alice', 'block', ['bob']);
        await store.lists.set('alice', 'mute', ['carol']);
        await store.lists.set('dave', 'block', ['carol']);
        expect(await store.lists.has('alice', 'block', 'bob')).toBe(true);
        expect(await store.lists.has('alice', 'block', 'carol')).toBe(false);
        expect(await store.lists.has('alice', 'mute', 'carol')).toBe(true);
        expect(await store.lists.has('dave', 'block', 'bob')).toBe(false);
        expect(await store.lists.get('alice', 'mute')).toEqual(['carol']);
        await expect(store.lists.get('alice', 'spam' as 'block')).rejects.toBeInstanceOf(TypeError);
      });
    });

    describe('logins', () => {
      const login = (time: number, station?: string) => ({
        time,
        ...(station === undefined ? {} : { station }),
        message: { sender: 'alice', data: `{"cmd":"login","time":${time}}`, signature: `sig${time}` },
      });

      it('keeps the newer login by time; equal or older is a no-op answering false', async () => {
        const store = await open();
        expect(await store.logins.get('alice')).toBeUndefined();
        expect(await store.logins.put('alice', login(100, 'gsp-s001@x'))).toBe(true);
        expect(await store.logins.put('alice', login(99, 'gsp-s002@y'))).toBe(false);
        expect(await store.logins.put('alice', login(100, 'gsp-s002@y'))).toBe(false);
        expect(await store.logins.get('alice')).toEqual(login(100, 'gsp-s001@x'));
        expect(await store.logins.put('alice', login(101.5))).toBe(true);
        const latest = await store.logins.get('alice');
        expect(latest).toEqual(login(101.5));
        expect(latest).not.toHaveProperty('station');
        expect(await store.logins.get('bob')).toBeUndefined();
      });
    });

    describe('identity', () => {
      it('stores and replaces the station identity', async () => {
        const store = await open();
        expect(await store.identity.get()).toBeUndefined();
        await store.identity.put({ id: 'gsp-s001@x', privateKey: { data: 'k1' } });
        expect(await store.identity.get()).toEqual({ id: 'gsp-s001@x', privateKey: { data: 'k1' } });
        await store.identity.put({ id: 'gsp-s001@x', privateKey: { data: 'k2' } });
        expect(await store.identity.get()).toEqual({ id: 'gsp-s001@x', privateKey: { data: 'k2' } });
      });
    });

    describe('lifecycle', () => {
      it('commits writes still queued when close is called', async () => {
        const store = await open();
        const puts = Array.from({ length: 50 }, (_, i) => store.inbox.put('bob', msg2(`s${i}`)));
        const meta = store.metas.put('alice', { a: 1 });
        await store.close();
        expect(await Promise.all(puts)).toEqual(Array(50).fill('stored'));
        expect(await meta).toBe(true);
      });

      it('rejects every member with store.failure after close; close is idempotent', async () => {
        const store = await open();
        await store.close();
        await store.close();
        const calls: Array<() => Promise<unknown>> = [
          () => store.metas.get('a'),
          () => store.metas.put('a', {}),
          () => store.documents.get('a'),
          () => store.documents.put('a', 'visa', {}, 1),
          () => store.inbox.put('a', msg2('s')),
          () => store.inbox.list('a', { limit: 1 }),
          () => store.inbox.count('a'),
          () => store.inbox.purgeExpired(1),
          () => store.lists.set('a', 'block', []),
          () => store.logins.get('a'),
          () => store.identity.get(),
        ];
        for (const call of calls) expect(await errorCode(call())).toBe('store.failure');
      });
    });
  });
}

function msg2(signature: string) {
  return { signature, time: 1, payload: bytes(signature) };
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isIncreasing(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || v > values[i - 1]!);
}

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof DimError ? error.code : `not a DimError: ${String(error)}`;
  }
  return undefined;
}
