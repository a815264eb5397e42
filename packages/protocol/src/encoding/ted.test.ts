import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DimError } from '../errors.js';
import { encodeBase58 } from './base58.js';
import { encodeBase64 } from './base64.js';
import { encodeHex } from './hex.js';
import { decodeTed, encodeTed } from './ted.js';
import { encodeUtf8 } from './utf8.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : 'not-a-DimError';
  }
  return undefined;
};

const hello = encodeUtf8('hello');

describe('TED (wire spec §1)', () => {
  it('writes plain Base64 and reads it back, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = encodeTed(bytes);
        expect(text).toBe(encodeBase64(bytes));
        expect(decodeTed(text)).toEqual(bytes);
      }),
    );
  });

  it('reads every prefixed and wrapped form to the same bytes, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), (bytes) => {
        const b64 = encodeBase64(bytes);
        for (const form of [
          `base64,${b64}`,
          `base58,${encodeBase58(bytes)}`,
          `hex,${encodeHex(bytes)}`,
          `data:image/png;base64,${b64}`,
          `data:application/octet-stream;base64,${b64}`,
          `{"algorithm":"base64","data":"${b64}"}`,
          { algorithm: 'hex', data: encodeHex(bytes) },
          { data: b64 },
        ]) {
          expect(decodeTed(form)).toEqual(bytes);
        }
      }),
    );
  });

  it('ignores line breaks, surrounding spaces and missing padding in Base64', () => {
    expect(decodeTed('aGVs\r\nbG8')).toEqual(hello);
    expect(decodeTed('  aGVsbG8=\n')).toEqual(hello);
  });

  it('rejects what no reference reader accepts with encoding.ted', () => {
    for (const bad of [
      42,
      null,
      undefined,
      ['aGVsbG8='],
      'https://cdn.example/file.png',
      'rot13,uryyb',
      'data:text/plain,hello',
      'hex,abc',
      'base58,0OIl',
      'a',
      'ab$d',
      '{"algorithm":"base64"}',
      '{"algorithm":"base64","data":7}',
      '{not json}',
      { algorithm: 'morse', data: '...' },
    ]) {
      expect(
        codeOf(() => decodeTed(bad)),
        JSON.stringify(bad),
      ).toBe('encoding.ted');
    }
  });

  it('throws only DimError(encoding.ted) on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const code = codeOf(() => decodeTed(text));
        if (code !== undefined) expect(code).toBe('encoding.ted');
      }),
    );
  });
});
