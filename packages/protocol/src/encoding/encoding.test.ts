import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DimError } from '../errors.js';
import { decodeBase58, encodeBase58 } from './base58.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { decodeHex, encodeHex } from './hex.js';
import { decodeUtf8, encodeUtf8 } from './utf8.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : 'not-a-DimError';
  }
  return undefined;
};

describe('encodings', () => {
  it('round-trip Base64, Base58 and hex for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(decodeBase64(encodeBase64(bytes))).toEqual(bytes);
        expect(decodeBase58(encodeBase58(bytes))).toEqual(bytes);
        expect(decodeHex(encodeHex(bytes))).toEqual(bytes);
      }),
    );
  });

  it('reads Base64 with line breaks, spaces and missing padding', () => {
    expect(encodeUtf8('hello')).toEqual(decodeBase64('aGVs\r\nbG8'));
    expect(decodeBase64(' aGVsbG8= ')).toEqual(encodeUtf8('hello'));
  });

  it('keeps leading zero bytes as leading 1s in Base58', () => {
    expect(encodeBase58(new Uint8Array([0, 0, 1]))).toBe('112');
  });

  it('writes lower-case hex and reads either case', () => {
    expect(encodeHex(new Uint8Array([0xab, 0xcd]))).toBe('abcd');
    expect(decodeHex('ABcd')).toEqual(new Uint8Array([0xab, 0xcd]));
  });

  it('rejects malformed input with typed errors', () => {
    expect(codeOf(() => decodeBase64('a'))).toBe('encoding.base64');
    expect(codeOf(() => decodeBase64('ab$d'))).toBe('encoding.base64');
    expect(codeOf(() => decodeBase58('0OIl'))).toBe('encoding.base58');
    expect(codeOf(() => decodeHex('abc'))).toBe('encoding.hex');
    expect(codeOf(() => decodeHex('zz'))).toBe('encoding.hex');
    expect(codeOf(() => decodeUtf8(new Uint8Array([0xff, 0xfe])))).toBe('encoding.utf8');
  });
});
