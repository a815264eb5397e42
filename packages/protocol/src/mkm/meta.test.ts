// eslint-disable-next-line no-restricted-imports -- tests run on Node and read the shared vector files
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePrivateKey, parsePrivateKey } from '../crypto/index.js';
import type { PrivateKey } from '../crypto/types.js';
import { decodeBase64, encodeBase64 } from '../encoding/base64.js';
import type { JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { ANYONE, EVERYONE } from './broadcast.js';
import { EntityType } from './entity.js';
import { parseId } from './id.js';
import { type Meta, checkMeta, generateMeta, idFromMeta, metaMatchesId, metaToDict, parseMeta } from './meta.js';

const vectors = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../../test/fixtures/vectors/${path}`, import.meta.url), 'utf8'));

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

interface Generated {
  user: string;
  group: string;
  forIdNetwork: string;
}
interface MetaExpectation {
  valid: boolean;
  type?: string;
  seed?: string | null;
  publicKey?: JsonObject;
  generated?: Generated;
  matchesId?: boolean;
  legacyNormalized?: MetaExpectation;
}
interface MetaCheck {
  name: string;
  id: string;
  meta: JsonObject;
  expected: MetaExpectation;
}
interface UserVector {
  id: string;
  network: number;
  meta: JsonObject;
  privateKey: JsonObject;
}
interface LegacyUser {
  id: string;
  meta: JsonObject;
  privateKey: JsonObject;
}

const metaChecks = vectors('checks/metas.json') as MetaCheck[];
const userNames = ['alice', 'bob', 'carol', 'dave', 'erin', 'gate', 'robot'];
const users = Object.fromEntries(userNames.map((n) => [n, vectors(`users/${n}.json`) as UserVector]));
const hulk = vectors('legacy-2018/hulk.json') as LegacyUser;
const moki = vectors('legacy-2018/moki.json') as LegacyUser;

/** Asserts the recorded verdict of one valid reference meta: fields, ID match, regenerated IDs. */
function expectLikeReference(meta: Meta, id: string, expected: MetaExpectation): void {
  expect(String(meta.type)).toBe(expected.type);
  expect(meta.seed ?? null).toBe(expected.seed);
  expect(meta.key.dict).toEqual(expected.publicKey);
  expect(metaMatchesId(meta, parseId(id))).toBe(expected.matchesId);
  const gen = expected.generated!;
  expect(idFromMeta(meta, EntityType.USER).text).toBe(gen.user);
  if (meta.type !== 4) expect(idFromMeta(meta, EntityType.GROUP).text).toBe(gen.group);
  expect(idFromMeta(meta, parseId(id).address.network).text).toBe(gen.forIdNetwork);
}

describe('checks/metas.json', () => {
  for (const { name, id, meta, expected } of metaChecks) {
    if (name === 'hulk-spec-legacy') continue; // deployed behaviour differs, tested below
    it(`${name}: ${expected.valid ? `valid, ${expected.matchesId ? 'matches' : 'does not match'} ${id}` : 'rejected'}`, () => {
      if (!expected.valid) {
        expect(codeOf(() => parseMeta(meta))).toBe('meta.invalid');
        return;
      }
      expectLikeReference(parseMeta(meta), id, expected);
      expect(codeOf(() => checkMeta(parseMeta(meta), parseId(id)))).toBe(
        expected.matchesId ? undefined : 'meta.mismatch',
      );
    });
  }

  it('accepts the legacy `version` meta of hulk (deployed apps; the raw SDK rejects it)', () => {
    const check = metaChecks.find((c) => c.name === 'hulk-spec-legacy')!;
    expect(check.expected.valid).toBe(false); // what the raw SDK said
    expect(check.meta['type']).toBeUndefined();
    expectLikeReference(parseMeta(check.meta), check.id, check.expected.legacyNormalized!);
  });
});

describe('users/*.json and groups/group1.json', () => {
  for (const name of userNames) {
    it(`${name}: the meta is valid, matches ${users[name]!.id}, and belongs to the private key`, () => {
      const user = users[name]!;
      const meta = parseMeta(user.meta);
      const id = parseId(user.id);
      expect(id.address.network).toBe(user.network);
      expect(metaMatchesId(meta, id)).toBe(true);
      const priv = parsePrivateKey(user.privateKey);
      const probe = new TextEncoder().encode(`probe ${name}`);
      expect(meta.key.verify(probe, priv.sign(probe))).toBe(true);
      expect(meta.key.keyData).toEqual(priv.publicKey.keyData);
    });
  }

  it('group1: the group meta is valid, matches the group ID and uses the founder key', () => {
    const group = vectors('groups/group1.json') as { id: string; meta: JsonObject; founder: string };
    const meta = parseMeta(group.meta);
    const id = parseId(group.id);
    expect([id.isGroup, id.address.network]).toEqual([true, EntityType.GROUP]);
    expect(metaMatchesId(meta, id)).toBe(true);
    expect(group.founder).toBe(users['alice']!.id);
    expect(meta.key.keyData).toEqual(parseMeta(users['alice']!.meta).key.keyData);
  });
});

describe('2018 accounts hulk and moki (legacy network 0x08, `version`)', () => {
  for (const user of [hulk, moki]) {
    it(`${user.id}: the version-only meta is valid and matches with the raw network byte 0x08`, () => {
      const meta = parseMeta(user.meta);
      const id = parseId(user.id);
      expect(meta.type).toBe(1);
      expect(id.address.network).toBe(0x08);
      expect(metaMatchesId(meta, id)).toBe(true);
      // The mapped type (USER = 0) would give another address: matching must use the raw byte.
      expect(idFromMeta(meta, EntityType.USER).text).not.toBe(user.id);
      expect(idFromMeta(meta, 0x08).text).toBe(user.id);
    });

    it(`${user.id}: the private key re-creates the exact fingerprint (RSA PKCS#1 v1.5 is deterministic)`, () => {
      const meta = generateMeta(1, parsePrivateKey(user.privateKey), parseMeta(user.meta).seed);
      expect(meta.dict['fingerprint']).toBe(user.meta['fingerprint']);
      expect(idFromMeta(meta, 0x08).text).toBe(user.id);
    });
  }
});

describe('wire spec §10.4 worked examples', () => {
  it('the ETH user from the well-known private key has ID 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23', () => {
    const key = parsePrivateKey({
      algorithm: 'ECC',
      data: '4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318',
    });
    const meta = generateMeta(4, key);
    expect(idFromMeta(meta, EntityType.USER).text).toBe('0x2c7536E3605D9C16a7a3D7b1898e529396a65c23');
    const dict = metaToDict(meta);
    expect([dict['type'], dict['version'], dict['seed'], dict['fingerprint']]).toEqual([4, 4, undefined, undefined]);
    expect((dict['key'] as JsonObject)['data']).toBe(
      '044e3b81af9c2234cad09d679ce6035ed1392347ce64ce405f5dcd36228a25de6e47fd35c4215d1edf53e6f83de344615ce719bdb0fd878f6ed76f06dd277956de',
    );
  });

  it('the MKM group seed Group-1234 signed by moki gives the documented fingerprint and both IDs', () => {
    const meta = generateMeta(1, parsePrivateKey(moki.privateKey), 'Group-1234');
    expect(meta.dict['fingerprint']).toBe(
      'MG+RuCo0iqXyGvFEYe1IqFiM1+gGlZN4M9ec/FwWdnIO3jMJK3oAXAZpbnVArOjgUKhP1YngJfD4Pe7CRa370OoZCVh1S9kTbTnG0woh4DlnI9uGKBNZwEJjcqpC8cBN1Y1ctHAMiDG0XJSKNpXVa2pFE+aAZ320o5r6GzzTcHo=',
    );
    expect(idFromMeta(meta, EntityType.GROUP).text).toBe('Group-1234@Yjfkqs5xbkQNN889gnsnWUBCPysQeW2j3');
    expect(idFromMeta(meta, 0x10).text).toBe('Group-1234@7aoiXULQcJhYdsDRWynf4PYydxr1yJ1ZUu');
    expect(idFromMeta(meta, 0x10).isGroup).toBe(true);
  });

  it("hulk's fingerprint with network 0x08 gives 4YeVEN3aUnvC1DNUufCq1bs9zoBSJTzVEj", () => {
    expect(idFromMeta(parseMeta(hulk.meta), 0x08).address.text).toBe('4YeVEN3aUnvC1DNUufCq1bs9zoBSJTzVEj');
  });
});

describe('generated metas', () => {
  let rsa: PrivateKey;
  let ecc: PrivateKey;
  let rsa2: PrivateKey;
  let ecc2: PrivateKey;
  beforeAll(() => {
    rsa = generatePrivateKey('RSA');
    rsa2 = generatePrivateKey('RSA');
    ecc = generatePrivateKey('ECC');
    ecc2 = generatePrivateKey('ECC');
  });

  const cases: [1 | 2 | 4, 'RSA' | 'ECC', number[]][] = [
    [1, 'RSA', [EntityType.USER, EntityType.GROUP, EntityType.STATION, 0x08, 0x10]],
    [1, 'ECC', [EntityType.USER, EntityType.GROUP, EntityType.BOT]],
    [2, 'RSA', [EntityType.USER, EntityType.STATION]],
    [2, 'ECC', [EntityType.USER, EntityType.BOT]],
    [4, 'ECC', [EntityType.USER]],
  ];
  for (const [type, algorithm, networks] of cases) {
    it(`type ${type} with an ${algorithm} key validates after a round trip and matches its IDs`, () => {
      const key = algorithm === 'RSA' ? rsa : ecc;
      const seed = type === 1 ? 'moky' : undefined;
      const meta = generateMeta(type, key, seed);
      const dict = metaToDict(meta);
      expect([dict['type'], dict['version']]).toEqual([type, type]);
      const parsed = parseMeta(JSON.parse(JSON.stringify(dict)));
      expect(parsed.type).toBe(type);
      for (const network of networks) {
        const id = idFromMeta(parsed, network, 'phone');
        expect(id.terminal).toBe('phone');
        expect(metaMatchesId(parsed, id)).toBe(true);
        expect(() => checkMeta(parsed, id)).not.toThrow();
        const other = generateMeta(type, algorithm === 'RSA' ? rsa2 : ecc2, seed);
        expect(metaMatchesId(other, id)).toBe(false);
      }
    });
  }

  it('refuses to make an ETH meta from an RSA key, a BTC/ETH meta with a seed, or an MKM meta without a valid seed', () => {
    expect(() => generateMeta(4, rsa)).toThrow(RangeError);
    expect(() => generateMeta(2, ecc, 'seed')).toThrow(RangeError);
    expect(() => generateMeta(1, ecc)).toThrow(RangeError);
    expect(() => generateMeta(1, ecc, 'a@b')).toThrow(RangeError);
    expect(() => generateMeta(3 as 1, ecc)).toThrow(TypeError);
    expect(() => idFromMeta(generateMeta(4, ecc), EntityType.GROUP)).toThrow(RangeError);
  });

  it('rejects a swapped key: MKM fails the fingerprint, BTC/ETH fail the ID match', () => {
    const mkm = metaToDict(generateMeta(1, ecc, 'moky'));
    expect(codeOf(() => parseMeta({ ...mkm, key: ecc2.publicKey.dict }))).toBe('meta.invalid');
    for (const type of [2, 4] as const) {
      const meta = generateMeta(type, ecc);
      const id = idFromMeta(meta, EntityType.USER);
      const swapped = parseMeta({ ...metaToDict(meta), key: ecc2.publicKey.dict });
      expect(metaMatchesId(swapped, id)).toBe(false);
      expect(codeOf(() => checkMeta(swapped, id))).toBe('meta.mismatch');
    }
  });
});

describe('parseMeta rejects tampered and malformed metas', () => {
  const alice = users['alice']!.meta;
  const bob = users['bob']!.meta;
  const carol = users['carol']!.meta;

  it('rejects a changed seed or a changed fingerprint byte with meta.invalid', () => {
    expect(codeOf(() => parseMeta({ ...alice, seed: 'alicf' }))).toBe('meta.invalid');
    const fp = decodeBase64(alice['fingerprint'] as string);
    fp[5] = fp[5]! ^ 0x40;
    expect(codeOf(() => parseMeta({ ...alice, fingerprint: encodeBase64(fp) }))).toBe('meta.invalid');
    expect(codeOf(() => parseMeta({ ...alice, fingerprint: '%%%' }))).toBe('meta.invalid');
    expect(codeOf(() => parseMeta({ ...alice, fingerprint: undefined }))).toBe('meta.invalid');
    expect(codeOf(() => parseMeta({ ...alice, seed: '' }))).toBe('meta.invalid');
  });

  it('rejects a seed or fingerprint on BTC and ETH metas, and an RSA key on an ETH meta', () => {
    expect(codeOf(() => parseMeta({ ...carol, seed: 'carol' }))).toBe('meta.invalid');
    expect(codeOf(() => parseMeta({ ...bob, fingerprint: alice['fingerprint']! }))).toBe('meta.invalid');
    expect(codeOf(() => parseMeta({ ...bob, key: alice['key']! }))).toBe('meta.invalid');
  });

  it('rejects unknown, reserved and missing versions with meta.type', () => {
    for (const type of [3, 5, '3', 'ExBTC', 0, 'x', true]) {
      expect(codeOf(() => parseMeta({ ...carol, type }))).toBe('meta.type');
    }
    const { type: _t, ...untyped } = carol;
    expect(codeOf(() => parseMeta(untyped))).toBe('meta.type');
  });

  it('reads every alias of the version, as an int, a numeric string or a name', () => {
    for (const type of [1, '1', 'mkm', 'MKM']) expect(parseMeta({ ...alice, type }).type).toBe(1);
    for (const type of [2, '2', 'btc', 'BTC']) expect(parseMeta({ ...carol, type }).type).toBe(2);
    for (const type of [4, '4', 'eth', 'ETH']) expect(parseMeta({ ...bob, type }).type).toBe(4);
    const { type: _t, ...legacy } = bob;
    expect(parseMeta({ ...legacy, version: 4 }).type).toBe(4);
    expect(parseMeta({ ...bob, type: 4, version: 4 }).type).toBe(4);
  });

  it('rejects a meta whose type and version disagree with meta.type', () => {
    expect(codeOf(() => parseMeta({ ...bob, type: 4, version: 1 }))).toBe('meta.type');
  });

  it('rejects a key that does not parse with meta.invalid, keeping the key error as the cause', () => {
    let err: unknown;
    try {
      parseMeta({ ...alice, key: { algorithm: 'RSA', data: 'not a key' } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DimError);
    expect((err as DimError).code).toBe('meta.invalid');
    expect(((err as DimError).cause as DimError).code).toMatch(/^key\./);
    expect(codeOf(() => parseMeta({ ...alice, key: { algorithm: 'DSA', data: 'x' } }))).toBe('meta.invalid');
    expect(codeOf(() => parseMeta({ ...alice, key: undefined }))).toBe('meta.invalid');
  });

  it('rejects non-objects with meta.invalid', () => {
    for (const input of [null, 'meta', 1, [alice]]) expect(codeOf(() => parseMeta(input))).toBe('meta.invalid');
  });

  it('keeps the original dictionary and writes integer type and version on output', () => {
    const meta = parseMeta(alice);
    expect(meta.dict).toBe(alice);
    const out = metaToDict(meta);
    expect(out).toEqual({ ...alice, type: 1, version: 1 });
    expect(alice['type']).toBe('1');
  });

  it('never matches a broadcast ID', () => {
    const meta = parseMeta(alice);
    expect(metaMatchesId(meta, ANYONE)).toBe(false);
    expect(metaMatchesId(meta, EVERYONE)).toBe(false);
  });

  it('does not match an ETH ID whose EIP-55 casing was lowered (IDs compare exactly)', () => {
    const meta = parseMeta(bob);
    const lower = parseId(users['bob']!.id.toLowerCase());
    expect(metaMatchesId(meta, lower)).toBe(false);
    expect(codeOf(() => checkMeta(meta, lower))).toBe('meta.mismatch');
  });

  it('does not match when the ID name differs from the seed', () => {
    const id = parseId(users['alice']!.id.replace('alice@', 'alicf@'));
    expect(metaMatchesId(parseMeta(alice), id)).toBe(false);
  });
});
