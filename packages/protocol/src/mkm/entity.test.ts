import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EntityType,
  entityTypeFromNetwork,
  entityTypeName,
  isBroadcastType,
  isGroupType,
  isUserType,
} from './entity.js';

describe('entity types (wire spec §3.3)', () => {
  it('maps the legacy MKM 0.9 network bytes before the predicates apply', () => {
    expect(entityTypeFromNetwork(0x08)).toBe(EntityType.USER);
    expect(entityTypeFromNetwork(0x10)).toBe(EntityType.GROUP);
    expect(entityTypeFromNetwork(0x30)).toBe(0x31);
    expect(entityTypeFromNetwork(0x88)).toBe(EntityType.STATION);
    expect(entityTypeFromNetwork(0x76)).toBe(EntityType.ISP);
    expect(entityTypeFromNetwork(0xc8)).toBe(EntityType.BOT);
  });

  it('reads a legacy 0x10 group as a group and a legacy 0x88 station as a non-broadcast user-like entity', () => {
    expect(isGroupType(entityTypeFromNetwork(0x10))).toBe(true);
    expect(isGroupType(entityTypeFromNetwork(0x30))).toBe(true);
    const station = entityTypeFromNetwork(0x88);
    expect(isBroadcastType(station)).toBe(false);
    expect(isUserType(station)).toBe(true);
  });

  it('leaves every other network byte unchanged', () => {
    const legacy = new Set([0x08, 0x10, 0x30, 0x88, 0x76, 0xc8]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }).filter((n) => !legacy.has(n)),
        (n) => entityTypeFromNetwork(n) === n,
      ),
    );
  });

  it('classifies the current types by bit 0 and bit 7', () => {
    for (const t of [EntityType.USER, EntityType.STATION, EntityType.BOT, EntityType.SUPERVISOR, EntityType.ANY]) {
      expect([isUserType(t), isGroupType(t)]).toEqual([true, false]);
    }
    // Providers and companies are organisations: group-like, as the reference defines them.
    for (const t of [EntityType.GROUP, EntityType.ISP, EntityType.ICP, EntityType.COMPANY, EntityType.EVERY]) {
      expect([isUserType(t), isGroupType(t)]).toEqual([false, true]);
    }
    expect(isBroadcastType(EntityType.ANY)).toBe(true);
    expect(isBroadcastType(EntityType.EVERY)).toBe(true);
    expect(isBroadcastType(EntityType.COMPANY)).toBe(false);
  });

  it('names known types and nothing else', () => {
    expect(entityTypeName(EntityType.STATION)).toBe('station');
    expect(entityTypeName(EntityType.EVERY)).toBe('every');
    expect(entityTypeName(0x42)).toBeUndefined();
  });

  it('throws RangeError for a network that is not a byte', () => {
    expect(() => entityTypeFromNetwork(256)).toThrow(RangeError);
    expect(() => entityTypeFromNetwork(-1)).toThrow(RangeError);
    expect(() => entityTypeFromNetwork(1.5)).toThrow(RangeError);
  });
});
