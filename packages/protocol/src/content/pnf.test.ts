// eslint-disable-next-line no-restricted-imports -- tests run on Node and read the shared vector files
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../encoding/base64.js';
import type { JsonObject } from '../encoding/json.js';
import { encodeUtf8 } from '../encoding/utf8.js';
import { DimError } from '../errors.js';
import { formatPnf, parsePnf, type Pnf } from './pnf.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

const AES = { algorithm: 'AES', data: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' };

describe('parsePnf (wire spec §5.1)', () => {
  it('reads the thumbnail of the image vector as inline JPEG bytes', () => {
    const v = JSON.parse(
      readFileSync(new URL('../../../../test/fixtures/vectors/messages/003-image.json', import.meta.url), 'utf8'),
    ) as JsonObject;
    const thumbnail = ((v['instant'] as JsonObject)['content'] as JsonObject)['thumbnail'] as string;
    const pnf = parsePnf(thumbnail);
    expect(pnf.mimeType).toBe('image/jpeg');
    expect(pnf.data!.subarray(0, 3)).toEqual(Uint8Array.from([0xff, 0xd8, 0xff]));
    expect(pnf.url).toBeUndefined();
    expect(formatPnf(pnf)).toBe(thumbnail);
  });

  it('reads a URL string', () => {
    expect(parsePnf('https://cdn.example.com/a.png')).toEqual({ url: 'https://cdn.example.com/a.png' });
    expect(parsePnf('  https://x/y  ')).toEqual({ url: 'https://x/y' });
  });

  it('reads an algorithm-prefixed TED string as inline bytes', () => {
    expect(parsePnf('base64,AAEC')).toEqual({ data: Uint8Array.from([0, 1, 2]) });
    expect(parsePnf('hex,000102')).toEqual({ data: Uint8Array.from([0, 1, 2]) });
  });

  it('reads a data: URI without base64 as percent-encoded text', () => {
    expect(parsePnf('data:text/plain,hello%20world')).toEqual({
      data: encodeUtf8('hello world'),
      mimeType: 'text/plain',
    });
  });

  it('reads an object and its JSON text, with key or legacy password, keeping other fields', () => {
    const object = { URL: 'https://x/y', filename: 'y.png', password: AES, IV: 'aXY=' };
    const expected: Pnf = { url: 'https://x/y', filename: 'y.png', key: AES, extra: { IV: 'aXY=' } };
    expect(parsePnf(object)).toEqual(expected);
    expect(parsePnf(JSON.stringify(object))).toEqual(expected);
    expect(parsePnf({ data: 'AAEC', filename: 'a' })).toEqual({ data: Uint8Array.from([0, 1, 2]), filename: 'a' });
    expect(parsePnf({ URL: 'data:image/png;base64,AAEC' })).toEqual({
      data: Uint8Array.from([0, 1, 2]),
      mimeType: 'image/png',
    });
  });

  it('rejects other shapes with typed errors', () => {
    for (const value of [null, 5, [], '', '   ', { name: 'x' }, { URL: 5 }, { URL: 'u', key: 'k' }, '{"a":1}']) {
      expect(codeOf(() => parsePnf(value))).toBe('content.format');
    }
    expect(codeOf(() => parsePnf({ URL: 'u', key: AES, password: { algorithm: 'PLAIN' } }))).toBe('content.format');
    expect(codeOf(() => parsePnf('data:image/png;base64,@@@'))).toBe('encoding.ted');
    expect(codeOf(() => parsePnf('data:text/plain,%E0%A4%A'))).toBe('content.format');
    expect(codeOf(() => parsePnf('https://x/' + 'a'.repeat(100), 50))).toBe('content.format');
    expect(codeOf(() => parsePnf('{not json}'))).toBe('encoding.json');
  });
});

describe('formatPnf (wire spec §5.1)', () => {
  it('writes a lone URL as a string, and a URL with a file name as an object', () => {
    expect(formatPnf({ url: 'https://x/y' })).toBe('https://x/y');
    expect(formatPnf({ url: 'https://x/y', filename: 'y' })).toEqual({ URL: 'https://x/y', filename: 'y' });
  });

  it('writes inline bytes with a MIME type as a data: URI, and the key under both names', () => {
    expect(formatPnf({ data: Uint8Array.from([0, 1, 2]), mimeType: 'image/png' })).toBe('data:image/png;base64,AAEC');
    expect(formatPnf({ url: 'https://x/y', key: AES })).toEqual({ URL: 'https://x/y', key: AES, password: AES });
    expect(formatPnf({ data: Uint8Array.from([0, 1, 2]) })).toEqual({ data: 'AAEC' });
  });

  it('throws TypeError on an empty PNF (a caller bug)', () => {
    expect(() => formatPnf({})).toThrow(TypeError);
  });

  it('round-trips any PNF through its wire form', () => {
    const pnf: fc.Arbitrary<Pnf> = fc
      .record(
        {
          url: fc.webUrl(),
          data: fc.uint8Array({ maxLength: 40 }),
          mimeType: fc.constantFrom('image/jpeg', 'image/png', 'audio/mp4'),
          filename: fc.string({ minLength: 1, maxLength: 12 }),
          key: fc.constant(AES),
          extra: fc.constant({ IV: 'aXY=' }),
        },
        { requiredKeys: [] },
      )
      .filter((p) => p.url !== undefined || p.data !== undefined || p.filename !== undefined)
      .map((p) => (p.data === undefined ? { ...p, mimeType: undefined } : p))
      .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as Pnf);
    fc.assert(
      fc.property(pnf, (p) => {
        const wire = JSON.parse(JSON.stringify(formatPnf(p))) as unknown;
        expect(parsePnf(wire)).toEqual(p);
      }),
    );
  });

  it('decodes what it encodes', () => {
    const bytes = decodeBase64('AAECAw==');
    expect(parsePnf(formatPnf({ data: bytes, mimeType: 'image/png' })).data).toEqual(bytes);
  });
});
