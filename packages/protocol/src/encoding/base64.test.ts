import { base64 } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DimError } from '../errors.js';
import { decodeBase64, encodeBase64 } from './base64.js';

/** The general (lenient) reading rules, on @scure/base alone: what the table fast path must match. */
function generalDecode(text: string): Uint8Array | string {
  let clean = text.replace(/\s+/g, '');
  if (clean.length % 4 === 1) return 'encoding.base64';
  while (clean.length % 4 !== 0) clean += '=';
  try {
    return base64.decode(clean);
  } catch {
    return 'encoding.base64';
  }
}

function ours(text: string): Uint8Array | string {
  try {
    return decodeBase64(text);
  } catch (err) {
    return err instanceof DimError ? err.code : 'not-a-DimError';
  }
}

/** Text that is mostly Base64 (so both paths get exercised), with stray characters. */
const nearBase64 = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => base64.encode(bytes)),
  fc
    .tuple(
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
      fc.nat(),
      fc.constantFrom('=', ' ', '\n', '-', '_', '.', 'é', 'A', '/', '+'),
    )
    .map(([bytes, at, char]) => {
      const text = base64.encode(bytes);
      const i = at % text.length;
      return text.slice(0, i) + char + text.slice(i + 1);
    }),
  fc.string({
    unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= \n-_é'),
    maxLength: 14,
  }),
);

describe('Base64 table codec', () => {
  it('encodes exactly as RFC 4648 Base64 with padding, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
        expect(encodeBase64(bytes)).toBe(base64.encode(bytes));
      }),
    );
  });

  it('encodes large inputs (past the reused output buffer) the same way', () => {
    const bytes = new Uint8Array(40_000).map((_, i) => (i * 7919) & 0xff);
    expect(encodeBase64(bytes)).toBe(base64.encode(bytes));
    expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
  });

  it('accepts and rejects exactly what the general lenient reader does', () => {
    fc.assert(
      fc.property(nearBase64, (text) => {
        expect(ours(text)).toEqual(generalDecode(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects non-zero bits after the last byte and misplaced padding', () => {
    expect(ours('QQ==')).toEqual(new Uint8Array([0x41]));
    expect(ours('QR==')).toBe('encoding.base64');
    expect(ours('QUI=')).toEqual(new Uint8Array([0x41, 0x42]));
    expect(ours('QUJ=')).toBe('encoding.base64');
    expect(ours('Q===')).toBe('encoding.base64');
    expect(ours('====')).toBe('encoding.base64');
    expect(ours('QQ==QQ==')).toBe('encoding.base64');
    expect(ours('')).toEqual(new Uint8Array(0));
  });
});
