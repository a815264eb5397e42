// eslint-disable-next-line no-restricted-imports -- tests run on Node and read the shared vector files
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { documentFromWire, documentToWire } from './document.js';
import { metaFromWire, metaToWire, metaTypeFromWire } from './meta.js';

const VECTORS = new URL('../../../../test/fixtures/vectors/', import.meta.url);
const load = (path: string): JsonObject => JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8')) as JsonObject;

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

const users = readdirSync(new URL('users/', VECTORS)).map((f) => `users/${f}`);

describe('metaFromWire / metaToWire (wire spec §3.4, §7 item 9)', () => {
  it.each(users)('%s: reads the SDK string type as an integer and writes type + version', (file) => {
    const meta = load(file)['meta'] as JsonObject;
    const canonical = metaFromWire(meta);
    expect(canonical['type']).toBe(Number(meta['type']));
    expect(canonical).not.toHaveProperty('version');
    const { type: _type, ...rest } = meta;
    expect(canonical).toMatchObject(rest);
    const wire = metaToWire(canonical);
    expect(wire['type']).toBe(wire['version']);
    expect(metaFromWire(wire)).toEqual(canonical);
  });

  it('reads the 2018 legacy version field (hulk, moki)', () => {
    for (const name of ['hulk', 'moki']) {
      const meta = load(`legacy-2018/${name}.json`)['meta'] as JsonObject;
      const canonical = metaFromWire(meta);
      expect(Object.keys(canonical)).toEqual(['type', 'key', 'seed', 'fingerprint']);
      expect(canonical['type']).toBe(1);
    }
  });

  it('knows the aliases of §3.4', () => {
    const cases: [unknown, number][] = [
      ['1', 1],
      ['mkm', 1],
      ['MKM', 1],
      ['2', 2],
      ['btc', 2],
      ['BTC', 2],
      ['ExBTC', 3],
      ['4', 4],
      ['eth', 4],
      ['ETH', 4],
      ['ExETH', 5],
      [4, 4],
    ];
    for (const [value, type] of cases) expect(metaTypeFromWire(value as string)).toBe(type);
    for (const bad of ['x', '', '1.5', -1, 1.5, 256, null, true, '0x01']) {
      expect(metaTypeFromWire(bad as string)).toBeUndefined();
    }
  });

  it('rejects an unknown type, and a type and version that differ', () => {
    expect(codeOf(() => metaFromWire({ type: 'rsa' }))).toBe('meta.type');
    expect(codeOf(() => metaFromWire({ version: {} }))).toBe('meta.type');
    expect(codeOf(() => metaFromWire({ type: 1, version: 4 }))).toBe('meta.type');
    expect(metaFromWire({ type: 'eth', version: 4 })).toEqual({ type: 4 });
  });

  it('leaves a meta without any type for the MKM parser to reject', () => {
    expect(metaFromWire({ key: {} })).toEqual({ key: {} });
    expect(metaToWire({ key: {} })).toEqual({ key: {} });
  });
});

describe('documentFromWire / documentToWire (wire spec §3.6)', () => {
  it.each(users)('%s: the SDK visa (did only) gets did + ID on the wire and reads back', (file) => {
    const visa = load(file)['visa'] as JsonObject;
    const wire = documentToWire(visa);
    expect(Object.keys(wire)).toEqual([...Object.keys(visa), 'ID']);
    expect(wire['ID']).toBe(visa['did']);
    expect(documentFromWire(wire)).toEqual(visa);
  });

  it('reads a v1 document (ID only) with did', () => {
    expect(documentFromWire({ ID: 'a', data: '{}', signature: 's' })).toEqual({ did: 'a', data: '{}', signature: 's' });
  });

  it('rejects a document whose did and ID differ', () => {
    expect(codeOf(() => documentFromWire({ did: 'a', ID: 'b' }))).toBe('document.invalid');
  });
});
