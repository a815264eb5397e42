import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParkingLot } from './_parking-lot.js';

describe('ParkingLot', () => {
  it('releases a sender’s entries in order', () => {
    const lot = new ParkingLot<number>(10, 5);
    lot.park('a', 1);
    lot.park('b', 2);
    lot.park('a', 3);
    expect(lot.size).toBe(3);
    expect(lot.release('a')).toEqual([1, 3]);
    expect(lot.release('a')).toEqual([]);
    expect(lot.senders()).toEqual(['b']);
    expect(lot.clear()).toEqual([2]);
    expect(lot.size).toBe(0);
  });

  it('pushes a sender’s oldest out past the per-sender bound', () => {
    const lot = new ParkingLot<number>(10, 2);
    expect(lot.park('a', 1)).toEqual([]);
    expect(lot.park('a', 2)).toEqual([]);
    expect(lot.park('a', 3)).toEqual([1]);
    expect(lot.release('a')).toEqual([2, 3]);
  });

  it('pushes the longest-parked sender’s oldest out past the total bound, never the newcomer', () => {
    const lot = new ParkingLot<number>(3, 3);
    lot.park('a', 1);
    lot.park('a', 2);
    lot.park('b', 3);
    expect(lot.park('c', 4)).toEqual([1]);
    expect(lot.park('c', 5)).toEqual([2]);
    expect(lot.senders()).toEqual(['b', 'c']);
    expect(lot.size).toBe(3);
  });

  it('never holds more than its bounds, and gives back everything it takes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 60 }),
        (maxTotal, maxPerSender, senders) => {
          const lot = new ParkingLot<number>(maxTotal, maxPerSender);
          const out: number[] = [];
          senders.forEach((sender, i) => {
            out.push(...lot.park(sender, i));
            expect(lot.size).toBeLessThanOrEqual(maxTotal);
          });
          out.push(...lot.clear());
          expect(out.sort((x, y) => x - y)).toEqual(senders.map((_, i) => i));
        },
      ),
    );
  });

  it('keeps the bytes parked under their bound, keeping at least the newcomer', () => {
    const lot = new ParkingLot<number>(100, 100, 10);
    expect(lot.park('a', 1, 4)).toEqual([]);
    expect(lot.park('b', 2, 4)).toEqual([]);
    expect(lot.park('c', 3, 4)).toEqual([1]);
    expect(lot.bytes).toBe(8);
    expect(lot.park('d', 4, 50)).toEqual([2, 3]);
    expect(lot.size).toBe(1);
    expect(lot.release('d')).toEqual([4]);
    expect(lot.bytes).toBe(0);
  });

  it('refuses bounds below 1 (a caller bug)', () => {
    expect(() => new ParkingLot(0, 1)).toThrow(RangeError);
  });
});
