import { describe, expect, it } from 'vitest';
import { isAdvance, retryDelay, stationReceiptState, type MessageState } from './message-state.js';

const ALL: MessageState[] = ['pending', 'sent', 'cached', 'delivered', 'read', 'failed'];

describe('message states', () => {
  it('only move forward: pending → sent → cached → delivered → read', () => {
    const order: MessageState[] = ['pending', 'sent', 'cached', 'delivered', 'read'];
    for (const [i, from] of order.entries()) {
      for (const [j, to] of order.entries()) expect(isAdvance(from, to), `${from} → ${to}`).toBe(j > i);
    }
  });

  it('fail only from pending, and leave failed only forward (a late receipt)', () => {
    expect(ALL.filter((s) => isAdvance(s, 'failed'))).toEqual(['pending']);
    expect(isAdvance('failed', 'pending')).toBe(false);
    expect(isAdvance('failed', 'delivered')).toBe(true);
  });

  it('map station receipt texts (station spec §3.5)', () => {
    expect(stationReceiptState('Message delivered.')).toBe('delivered');
    expect(stationReceiptState('Message cached.')).toBe('cached');
    expect(stationReceiptState('Message redirected.')).toBe('sent');
    expect(stationReceiptState('Message redirected via station bridge.')).toBe('sent');
    expect(stationReceiptState(undefined)).toBe('sent');
    expect(stationReceiptState('Message is blocked by "hulk"')).toBe('failed');
  });

  it('retry later and later, up to a ceiling', () => {
    expect([1, 2, 3, 4, 6, 100].map((n) => retryDelay(n))).toEqual([
      30_000, 60_000, 120_000, 240_000, 600_000, 600_000,
    ]);
    expect(retryDelay(2, 100, 150)).toBe(150);
    expect(() => retryDelay(0)).toThrow(RangeError);
  });
});
