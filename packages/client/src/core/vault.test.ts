import fc from 'fast-check';
import { isDimError } from '@dimkit/protocol';
import { describe, expect, it } from 'vitest';
import { deriveKey, newKdfParams, openSecret, parseKdfParams, randomKey, sealSecret } from './vault.js';

const SMALL = { N: 2 ** 10, r: 8, p: 1 };

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('vault (secrets at rest)', () => {
  it('opens what it sealed, for any bytes', () => {
    const key = randomKey();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string(), (plaintext, label) => {
        const sealed = sealSecret(key, plaintext, label);
        expect(sealed.length).toBe(24 + plaintext.length + 16);
        expect(openSecret(key, sealed, label)).toEqual(plaintext);
      }),
      { numRuns: 50 },
    );
  });

  it('seals the same bytes differently each time (random nonce)', () => {
    const key = randomKey();
    const a = sealSecret(key, new Uint8Array(32), 'x');
    const b = sealSecret(key, new Uint8Array(32), 'x');
    expect(a).not.toEqual(b);
  });

  it('refuses a wrong key, a wrong label, a changed byte or a short value with crypto.decrypt', () => {
    const key = randomKey();
    const sealed = sealSecret(key, new Uint8Array([1, 2, 3]), 'identity:alice');
    const changed = sealed.slice();
    changed[30]! ^= 1;
    for (const attempt of [
      () => openSecret(randomKey(), sealed, 'identity:alice'),
      () => openSecret(key, sealed, 'identity:bob'),
      () => openSecret(key, changed, 'identity:alice'),
      () => openSecret(key, sealed.subarray(0, 30), 'identity:alice'),
    ]) {
      expect(isDimError(catchError(attempt), 'crypto.decrypt')).toBe(true);
    }
  });

  it('derives the same key from the same passphrase and salt, another from another', async () => {
    const params = newKdfParams(SMALL);
    const a = await deriveKey('pässword', params);
    expect(a).toHaveLength(32);
    expect(await deriveKey('pässword', params)).toEqual(a);
    // NFKC: the decomposed spelling is the same passphrase
    expect(await deriveKey('pa\u0308ssword', params)).toEqual(a);
    expect(await deriveKey('password', params)).not.toEqual(a);
    expect(await deriveKey('pässword', newKdfParams(SMALL))).not.toEqual(a);
  });

  it('reads stored parameters and refuses bad ones with store.failure', () => {
    const params = newKdfParams(SMALL);
    expect(parseKdfParams(JSON.parse(JSON.stringify(params)))).toEqual(params);
    for (const bad of [
      null,
      {},
      { ...params, algorithm: 'pbkdf2' },
      { ...params, N: 1000 },
      { ...params, r: 0 },
      { ...params, salt: 5 },
    ]) {
      expect(
        isDimError(
          catchError(() => parseKdfParams(bad)),
          'store.failure',
        ),
      ).toBe(true);
    }
    expect(() => newKdfParams({ N: 3, r: 8, p: 1 })).toThrow(RangeError);
  });
});
