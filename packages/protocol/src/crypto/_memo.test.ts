import { describe, expect, it } from 'vitest';
import { boundedMemo } from './_memo.js';

describe('boundedMemo', () => {
  it('computes once per key, keeps at most `max` entries, evicting the least recently used', () => {
    const calls: string[] = [];
    const memo = boundedMemo(2, (k: string) => {
      calls.push(k);
      return { k };
    });
    const a = memo('a');
    expect(memo('a')).toBe(a);
    memo('b');
    memo('a'); // a is now the most recently used
    memo('c'); // evicts b
    memo('a');
    memo('b');
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
  });

  it('does not cache failures', () => {
    let fail = true;
    const memo = boundedMemo(4, (k: string) => {
      if (fail) throw new Error('no');
      return k;
    });
    expect(() => memo('x')).toThrow();
    fail = false;
    expect(memo('x')).toBe('x');
  });
});
