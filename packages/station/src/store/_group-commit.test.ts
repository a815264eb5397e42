import { describe, expect, it } from 'vitest';
import { GroupCommit } from './_group-commit.js';

/** A fake transaction log: records each batch; `failNext` makes the next commit throw after running the work. */
function fakeDatabase() {
  const committed: string[][] = [];
  let open: string[] | undefined;
  let failNext = false;
  const transact = (work: () => void) => {
    open = [];
    work();
    const batch = open;
    open = undefined;
    if (failNext) {
      failNext = false;
      throw new Error('disk I/O error');
    }
    committed.push(batch);
  };
  const op = (name: string) => () => {
    if (open === undefined) throw new Error(`${name} ran outside a transaction`);
    open.push(name);
    return `done:${name}`;
  };
  return { committed, transact, op, failNextCommit: () => (failNext = true) };
}

const mapError = (e: unknown) => new Error(`mapped: ${(e as Error).message}`);

describe('GroupCommit', () => {
  it('commits operations queued in the same tick in one transaction, in order', async () => {
    const db = fakeDatabase();
    const gc = new GroupCommit(db.transact, mapError, 100);
    const results = await Promise.all(['a', 'b', 'c'].map((n) => gc.enqueue(db.op(n))));
    expect(results).toEqual(['done:a', 'done:b', 'done:c']);
    expect(db.committed).toEqual([['a', 'b', 'c']]);
  });

  it('resolves only after the transaction committed', async () => {
    const db = fakeDatabase();
    const gc = new GroupCommit(db.transact, mapError, 100);
    let committedWhenResolved: number | undefined;
    await gc.enqueue(db.op('a')).then(() => (committedWhenResolved = db.committed.length));
    expect(committedWhenResolved).toBe(1);
  });

  it('rejects every operation of a failed batch with the mapped error and keeps later batches working', async () => {
    const db = fakeDatabase();
    const gc = new GroupCommit(db.transact, mapError, 100);
    db.failNextCommit();
    const settled = await Promise.allSettled([gc.enqueue(db.op('a')), gc.enqueue(db.op('b'))]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    const reasons = settled.map((s) => (s as PromiseRejectedResult).reason as Error);
    expect(reasons[0]!.message).toBe('mapped: disk I/O error');
    expect(reasons[1]).toBe(reasons[0]);
    expect(await gc.enqueue(db.op('c'))).toBe('done:c');
    expect(db.committed).toEqual([['c']]);
  });

  it('rejects the whole batch when one operation throws', async () => {
    const db = fakeDatabase();
    const gc = new GroupCommit(db.transact, mapError, 100);
    const boom = () => {
      throw new Error('constraint failed');
    };
    const settled = await Promise.allSettled([gc.enqueue(db.op('a')), gc.enqueue(boom), gc.enqueue(db.op('b'))]);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(db.committed).toEqual([]);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const db = fakeDatabase();
    const gc = new GroupCommit(db.transact, mapError, 4);
    const names = Array.from({ length: 10 }, (_, i) => `op${i}`);
    await Promise.all(names.map((n) => gc.enqueue(db.op(n))));
    expect(db.committed.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(db.committed.flat()).toEqual(names);
  });

  it('writes everything queued on flushAll, synchronously', () => {
    const db = fakeDatabase();
    const gc = new GroupCommit(db.transact, mapError, 2);
    for (const n of ['a', 'b', 'c']) void gc.enqueue(db.op(n));
    gc.flushAll();
    expect(db.committed).toEqual([['a', 'b'], ['c']]);
  });

  it('refuses a maxBatch below 1', () => {
    expect(() => new GroupCommit(() => {}, mapError, 0)).toThrow(RangeError);
  });
});
