import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../encoding/json.js';
import { own, renameField, withField, withoutField } from './_fields.js';
import { CONTENT_SHORT_KEYS, expandShortKeys } from './short-keys.js';

/** `{"a":1,"__proto__":{"polluted":true},"b":2}` as a JSON parser makes it: `__proto__` an own key. */
const withProto = (): JsonObject => JSON.parse('{"a":1,"__proto__":{"polluted":true},"b":2}') as JsonObject;

function expectPlainProto(json: JsonObject): void {
  expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
  expect(json['polluted']).toBeUndefined();
  expect(Object.getOwnPropertyDescriptor(json, '__proto__')?.value).toEqual({ polluted: true });
}

describe('compat field helpers', () => {
  it('replace, append, drop and rename fields in place, keeping the order of the others', () => {
    const json = { a: 1, b: 2, c: 3 };
    expect(Object.entries(withField(json, 'b', 9))).toEqual([
      ['a', 1],
      ['b', 9],
      ['c', 3],
    ]);
    expect(Object.entries(withField(json, 'd', 4))).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ]);
    expect(Object.entries(withoutField(json, 'b'))).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(Object.entries(renameField(json, 'b', 'x'))).toEqual([
      ['a', 1],
      ['x', 2],
      ['c', 3],
    ]);
    expect(Object.entries(renameField(json, 'b', 'x', [2]))).toEqual([
      ['a', 1],
      ['x', [2]],
      ['c', 3],
    ]);
    expect(json).toEqual({ a: 1, b: 2, c: 3 });
  });

  it('keep a `__proto__` key a plain own field, never a prototype', () => {
    expectPlainProto(withField(withProto(), 'c', 3));
    expectPlainProto(withField(withProto(), 'a', 0));
    expectPlainProto(withoutField(withProto(), 'a'));
    expectPlainProto(renameField(withProto(), 'b', 'c'));
    const set = withField({ a: 1 }, '__proto__', { polluted: true });
    expectPlainProto(set);
    expect(Object.keys(renameField(withProto(), '__proto__', 'p'))).toEqual(['a', 'p', 'b']);
  });

  it('read own fields only', () => {
    const json = Object.create({ inherited: 1 }) as JsonObject;
    json['mine'] = 2;
    expect(own(json, 'inherited')).toBeUndefined();
    expect(own(json, 'mine')).toBe(2);
    expect(own(withProto(), '__proto__')).toEqual({ polluted: true });
    expect(own({ a: 1 }, '__proto__')).toBeUndefined();
    expect(own({ a: 1 }, 'toString')).toBeUndefined();
  });
});

describe('expandShortKeys', () => {
  it('expands own one-character keys of the table only, in place, whatever their order', () => {
    const json = { x: 1, G: 'g', text: 't', N: 5, T: 1 };
    expect(Object.entries(expandShortKeys(json, CONTENT_SHORT_KEYS))).toEqual([
      ['x', 1],
      ['group', 'g'],
      ['text', 't'],
      ['sn', 5],
      ['type', 1],
    ]);
    const inherited = Object.create({ T: 1 }) as JsonObject;
    inherited['N'] = 5;
    expect(expandShortKeys(inherited, CONTENT_SHORT_KEYS)).toEqual({ sn: 5 });
  });

  it('returns the same object when there is nothing to expand', () => {
    const json = { type: 1, sn: 2, x: 3, T: 1 };
    expect(expandShortKeys(json, CONTENT_SHORT_KEYS)).toBe(json);
  });
});
