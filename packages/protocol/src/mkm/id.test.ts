// eslint-disable-next-line no-restricted-imports -- tests run on Node and read the shared vector files
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DimError } from '../errors.js';
import { btcAddressFromFingerprint } from './address-btc.js';
import {
  ANYONE,
  ANY_STATION,
  EVERYONE,
  EVERY_STATIONS,
  FOUNDER,
  broadcastFounder,
  broadcastMembers,
  broadcastOwner,
} from './broadcast.js';
import { entityTypeName } from './entity.js';
import { formatId, parseId, withoutTerminal } from './id.js';

const vectors = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../../test/fixtures/vectors/${path}`, import.meta.url), 'utf8'));

interface IdCheck {
  input: string;
  expected: {
    valid: boolean;
    name?: string | null;
    address?: string;
    terminal?: string | null;
    network?: number;
    entity?: string | null;
    legacyNetwork?: string;
    isUser?: boolean;
    isGroup?: boolean;
    isBroadcast?: boolean;
    addressKind?: string;
  };
}

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

const checks = vectors('checks/ids.json') as IdCheck[];

describe('checks/ids.json', () => {
  for (const { input, expected } of checks.filter((c) => c.expected.valid)) {
    it(`parses ${input} as the reference does`, () => {
      const id = parseId(input);
      expect(id.text).toBe(input);
      expect(id.name ?? null).toBe(expected.name);
      expect(id.address.text).toBe(expected.address);
      expect(id.terminal ?? null).toBe(expected.terminal);
      expect(id.address.network).toBe(expected.network);
      expect(id.address.kind).toBe(expected.addressKind);
      expect([id.isUser, id.isGroup, id.isBroadcast]).toEqual([
        expected.isUser,
        expected.isGroup,
        expected.isBroadcast,
      ]);
      if (expected.legacyNetwork === undefined) {
        expect(entityTypeName(id.address.type) ?? null).toBe(expected.entity);
      }
    });
  }

  for (const { input } of checks.filter((c) => !c.expected.valid)) {
    it(`rejects ${JSON.stringify(input)} with a DimError`, () => {
      expect(() => parseId(input)).toThrow(DimError);
    });
  }

  it('maps the legacy network byte 8 of hulk and moki to USER (deployed apps; the raw SDK has no entity name)', () => {
    for (const c of checks.filter((x) => x.expected.legacyNetwork !== undefined)) {
      const id = parseId(c.input);
      expect(id.address.network).toBe(8);
      expect(entityTypeName(id.type)).toBe('user');
    }
  });
});

describe('parseId', () => {
  it('rejects a wrong BTC check code with address.checksum', () => {
    expect(codeOf(() => parseId('alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEa'))).toBe('address.checksum');
  });

  it('rejects non-strings, lengths outside 4–64, empty names and terminals, and a second @ with id.syntax', () => {
    const addr = '16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn';
    expect(codeOf(() => parseId(undefined))).toBe('id.syntax');
    expect(codeOf(() => parseId({ text: 'x' }))).toBe('id.syntax');
    expect(codeOf(() => parseId(''))).toBe('id.syntax');
    expect(codeOf(() => parseId('abc'))).toBe('id.syntax');
    expect(codeOf(() => parseId(`${'n'.repeat(30)}@${addr}`))).toBe('id.syntax');
    expect(codeOf(() => parseId(`@${addr}`))).toBe('id.syntax');
    expect(codeOf(() => parseId(`a@b@${addr}`))).toBe('id.syntax');
    expect(codeOf(() => parseId(`alice@${addr}/`))).toBe('id.syntax');
  });

  it('accepts exactly 64 characters', () => {
    const addr = '16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn';
    const name = 'n'.repeat(64 - addr.length - 1);
    expect(parseId(`${name}@${addr}`).name).toBe(name);
  });

  it('reads an ID without a name as a USER whatever its network byte (deployed apps)', () => {
    const groupAddress = btcAddressFromFingerprint(new Uint8Array([1, 2, 3]), 0x01);
    const nameless = parseId(groupAddress);
    expect(nameless.address.network).toBe(1);
    expect([nameless.isUser, nameless.isGroup]).toEqual([true, false]);
    expect(parseId(`g@${groupAddress}`).isGroup).toBe(true);
  });

  it('reads legacy 0x10 groups as groups (deployed apps map the network byte first)', () => {
    const id = parseId('Group-1234@7aoiXULQcJhYdsDRWynf4PYydxr1yJ1ZUu');
    expect([id.isUser, id.isGroup, id.isBroadcast]).toEqual([false, true, false]);
  });

  it('round-trips formatId and parseId for valid parts', () => {
    const address = btcAddressFromFingerprint(new Uint8Array([9]), 0);
    fc.assert(
      fc.property(
        fc.option(fc.stringMatching(/^[A-Za-z0-9_.-]{1,16}$/), { nil: undefined }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/), { nil: undefined }),
        (name, terminal) => {
          const text = formatId({ name, address, terminal });
          const id = parseId(text);
          expect([id.name, id.address.text, id.terminal]).toEqual([name, address, terminal]);
        },
      ),
    );
  });

  it('formatId throws RangeError for names holding @ or / and for over-long results', () => {
    expect(() => formatId({ name: 'a@b', address: 'anywhere' })).toThrow(RangeError);
    expect(() => formatId({ name: 'a/b', address: 'anywhere' })).toThrow(RangeError);
    expect(() => formatId({ name: '', address: 'anywhere' })).toThrow(RangeError);
    expect(() => formatId({ name: 'x'.repeat(60), address: 'anywhere' })).toThrow(RangeError);
  });

  it('compares as exact strings: a terminal or a letter case makes another ID', () => {
    const a = parseId('alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn/web-terminal');
    expect(a.text).not.toBe('alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn');
    expect(withoutTerminal(a).text).toBe('alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn');
    expect(withoutTerminal(a).terminal).toBeUndefined();
  });
});

describe('broadcast IDs (wire spec §3.5)', () => {
  it('defines the well-known IDs with their types', () => {
    expect([ANYONE.text, ANYONE.isBroadcast, ANYONE.isUser]).toEqual(['anyone@anywhere', true, true]);
    expect([EVERYONE.text, EVERYONE.isBroadcast, EVERYONE.isGroup]).toEqual(['everyone@everywhere', true, true]);
    expect(FOUNDER.text).toBe('moky@anywhere');
    expect(ANY_STATION.text).toBe('station@anywhere');
    expect([EVERY_STATIONS.text, EVERY_STATIONS.isGroup]).toEqual(['stations@everywhere', true]);
  });

  it('gives everyone@everywhere founder moky@anywhere, owner and member anyone@anywhere', () => {
    expect(broadcastFounder(EVERYONE).text).toBe('moky@anywhere');
    expect(broadcastOwner(EVERYONE).text).toBe('anyone@anywhere');
    expect(broadcastMembers(EVERYONE).map((m) => m.text)).toEqual(['anyone@anywhere']);
  });

  it('gives xxx@everywhere the xxx.founder / xxx.owner / xxx.member conventions', () => {
    expect(broadcastFounder(EVERY_STATIONS).text).toBe('stations.founder@anywhere');
    expect(broadcastOwner(EVERY_STATIONS).text).toBe('stations.owner@anywhere');
    expect(broadcastMembers(EVERY_STATIONS).map((m) => m.text)).toEqual([
      'stations.owner@anywhere',
      'stations.member@anywhere',
    ]);
    const long = parseId(`${'g'.repeat(50)}@everywhere`);
    expect(broadcastFounder(long).isBroadcast).toBe(true);
  });

  it('throws RangeError when asked for the founder of a non-broadcast group', () => {
    expect(() => broadcastFounder(ANYONE)).toThrow(RangeError);
    expect(() => broadcastOwner(parseId('Group-1234@7aoiXULQcJhYdsDRWynf4PYydxr1yJ1ZUu'))).toThrow(RangeError);
  });
});
