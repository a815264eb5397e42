import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DimError } from '../errors.js';
import { pkcs1DecryptionUnpad, pkcs1EncryptionPad, pkcs1SignatureEncode } from './_pkcs1.js';
import { jsBackend } from './js-backend.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : 'not-a-DimError';
  }
  return undefined;
};

describe('PKCS#1 v1.5 paddings (RFC 8017)', () => {
  it('type-2 padding round-trips for any message that fits, with ≥ 8 non-zero random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 117 }), (message) => {
        const em = pkcs1EncryptionPad(message, 128, jsBackend.randomBytes);
        expect(em).toHaveLength(128);
        expect([em[0], em[1]]).toEqual([0, 2]);
        expect(em.subarray(2, 128 - message.length - 1).every((b) => b !== 0)).toBe(true);
        expect(pkcs1DecryptionUnpad(em)).toEqual(message);
      }),
    );
  });

  it('refuses a message longer than k − 11 with crypto.encrypt', () => {
    expect(codeOf(() => pkcs1EncryptionPad(new Uint8Array(118), 128, jsBackend.randomBytes))).toBe('crypto.encrypt');
  });

  it('accepts exactly 8 padding bytes and an empty message', () => {
    const em = new Uint8Array(20).fill(9);
    em[0] = 0;
    em[1] = 2;
    em[10] = 0;
    expect(pkcs1DecryptionUnpad(em)).toEqual(new Uint8Array(9).fill(9));
    const empty = new Uint8Array(20).fill(9);
    empty[0] = 0;
    empty[1] = 2;
    empty[19] = 0;
    expect(pkcs1DecryptionUnpad(empty)).toEqual(new Uint8Array(0));
  });

  it('rejects every malformed block with the same code', () => {
    const base = () => {
      const em = new Uint8Array(32).fill(5);
      em[0] = 0;
      em[1] = 2;
      em[20] = 0;
      return em;
    };
    const cases: Array<[string, (em: Uint8Array) => void]> = [
      ['first byte not zero', (em) => (em[0] = 1)],
      ['block type 1', (em) => (em[1] = 1)],
      ['block type 0', (em) => (em[1] = 0)],
      ['no separator', (em) => (em[20] = 5)],
      ['7 padding bytes', (em) => (em[9] = 0)],
      ['separator right after the type', (em) => (em[2] = 0)],
    ];
    for (const [what, spoil] of cases) {
      const em = base();
      spoil(em);
      expect(
        codeOf(() => pkcs1DecryptionUnpad(em)),
        what,
      ).toBe('crypto.decrypt');
    }
    expect(codeOf(() => pkcs1DecryptionUnpad(new Uint8Array(5)))).toBe('crypto.decrypt');
  });

  it('never throws anything but crypto.decrypt on arbitrary blocks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (em) => {
        const code = codeOf(() => pkcs1DecryptionUnpad(em));
        if (code !== undefined) expect(code).toBe('crypto.decrypt');
      }),
    );
  });

  it('encodes signatures as 00 01 FF… 00 DigestInfo(SHA-256)', () => {
    const em = pkcs1SignatureEncode(new Uint8Array(32).fill(0xab), 128);
    expect(em.subarray(0, 2)).toEqual(new Uint8Array([0, 1]));
    expect(em.subarray(2, 128 - 51 - 1).every((b) => b === 0xff)).toBe(true);
    expect(em[128 - 52]).toBe(0);
    expect(em.subarray(128 - 51, 128 - 32)[0]).toBe(0x30);
    expect(codeOf(() => pkcs1SignatureEncode(new Uint8Array(32), 61))).toBe('key.size');
  });
});
