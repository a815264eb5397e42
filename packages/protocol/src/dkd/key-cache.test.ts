import { describe, expect, it } from 'vitest';
import { generateSymmetricKey, type PrivateKey, type SymmetricKey } from '../crypto/index.js';
import { CipherKeyCache } from './key-cache.js';

const privateKey = (): PrivateKey => ({}) as PrivateKey;

describe('CipherKeyCache', () => {
  it('reuses the key of a direction until it is older than reuseSeconds', () => {
    const cache = new CipherKeyCache({ reuseSeconds: 60 });
    const key = generateSymmetricKey();
    cache.set('alice', 'bob', key, 1000);
    expect(cache.get('alice', 'bob', 1060)).toBe(key);
    expect(cache.get('bob', 'alice', 1000)).toBeUndefined();
    expect(cache.get('alice', 'bob', 1061)).toBeUndefined();
    expect(cache.get('alice', 'bob', 1000)).toBeUndefined(); // expired entries are dropped
  });

  it('keeps the age of a key set again, and restarts it for a new key', () => {
    const cache = new CipherKeyCache({ reuseSeconds: 60 });
    const first = generateSymmetricKey();
    cache.set('alice', 'bob', first, 1000);
    cache.set('alice', 'bob', first, 1050);
    expect(cache.get('alice', 'bob', 1061)).toBeUndefined();
    const second = generateSymmetricKey();
    cache.set('alice', 'bob', second, 1000);
    cache.set('alice', 'bob', first, 1050);
    expect(cache.get('alice', 'bob', 1100)).toBe(first);
  });

  it('keeps directions apart even when the names share a separator', () => {
    const cache = new CipherKeyCache();
    const a = generateSymmetricKey();
    const b = generateSymmetricKey();
    cache.set('x\ny', 'z', a);
    cache.set('x', 'y\nz', b);
    expect(cache.get('x\ny', 'z')).toBe(a);
    expect(cache.get('x', 'y\nz')).toBe(b);
  });

  it('unwraps each wrapped value once per private key, and only successes are kept', () => {
    const cache = new CipherKeyCache();
    const mine = privateKey();
    const other = privateKey();
    const key = generateSymmetricKey();
    let calls = 0;
    const decrypt = (): SymmetricKey => {
      calls += 1;
      return key;
    };
    expect(cache.unwrap('wrapped', mine, decrypt)).toBe(key);
    expect(cache.unwrap('wrapped', mine, decrypt)).toBe(key);
    expect(calls).toBe(1);
    expect(cache.unwrapped('wrapped', mine)).toBe(key);
    expect(cache.unwrapped('wrapped', other)).toBeUndefined();
    expect(() =>
      cache.unwrap('bad', mine, () => {
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(cache.unwrapped('bad', mine)).toBeUndefined();
    cache.remember('other', other, key);
    expect(cache.unwrapped('other', other)).toBe(key);
  });

  it('wraps a key for a receiver key once', () => {
    const cache = new CipherKeyCache();
    const key = generateSymmetricKey();
    const receiver = {} as Parameters<CipherKeyCache['wrap']>[1];
    let calls = 0;
    const encrypt = () => {
      calls += 1;
      return new Uint8Array([1, 2, 3]);
    };
    expect(cache.wrap(key, receiver, encrypt)).toBe('AQID');
    expect(cache.wrap(key, receiver, encrypt)).toBe('AQID');
    expect(calls).toBe(1);
  });
});
