import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHex } from '../encoding/index.js';
import { encodeMtpFrame, encodeMtpHeader, MtpDataType, MTP_MAX_PAGES, readMtpHeader } from './header.js';
import type { MtpHeader } from './header.js';

const hex = (s: string) => decodeHex(s.replace(/\s+/g, ''));

function header(bytes: Uint8Array): MtpHeader {
  const h = readMtpHeader(bytes);
  if (typeof h === 'string') throw new Error(`expected a header, got ${h}`);
  return h;
}

describe('MTP header (§1.4)', () => {
  it('reads every form: 4, 8, 12, 16, 20 and 24 bytes, big-endian', () => {
    expect(header(hex('44494d12'))).toEqual({
      headerLength: 4,
      type: 2,
      sn: undefined,
      pages: 1,
      index: 0,
      bodyLength: -1,
    });
    expect(header(hex('44494d22 00000102'))).toMatchObject({ headerLength: 8, sn: undefined, bodyLength: 258 });
    expect(header(hex('44494d30 0102030405060708'))).toMatchObject({
      headerLength: 12,
      type: 0,
      sn: 0x0102030405060708n,
      bodyLength: -1,
    });
    expect(header(hex('44494d43 ffffffffffffffff 00000002'))).toMatchObject({
      headerLength: 16,
      type: 3,
      sn: 0xffffffffffffffffn,
      bodyLength: 2,
    });
    expect(header(hex('44494d5a 0000000000000001 00000003 00000002'))).toMatchObject({
      headerLength: 20,
      type: 0x0a,
      pages: 3,
      index: 2,
      bodyLength: -1,
    });
    expect(header(hex('44494d6a 0000000000000001 00000003 00000001 40000000'))).toMatchObject({
      headerLength: 24,
      pages: 3,
      index: 1,
      bodyLength: 0x40000000,
    });
  });

  it('asks for more bytes while a valid header is incomplete', () => {
    const full = hex('44494d42 0000000000000007 00000005');
    for (let n = 0; n < full.length; n++) expect(readMtpHeader(full.subarray(0, n))).toBe('need-more');
    expect(readMtpHeader(full, full.length)).toBe('need-more');
  });

  it('rejects a wrong magic, a length nibble of 0 or 7..15, and unregistered data types', () => {
    expect(readMtpHeader(hex('44494e42'))).toBe('invalid');
    expect(readMtpHeader(hex('58'))).toBe('invalid');
    expect(readMtpHeader(hex('4449'), 0)).toBe('need-more');
    expect(readMtpHeader(hex('44494d02'))).toBe('invalid');
    expect(readMtpHeader(hex('44494d72'))).toBe('invalid');
    expect(readMtpHeader(hex('44494df2'))).toBe('invalid');
    for (const t of [4, 5, 6, 7, 8, 9, 0xb, 0xc, 0xd, 0xe, 0xf]) {
      expect(readMtpHeader(Uint8Array.of(0x44, 0x49, 0x4d, 0x40 | t, ...new Array<number>(12).fill(0)))).toBe(
        'invalid',
      );
    }
  });

  it('rejects pages of 0 or above 2^21, an index >= pages, and a body over 1 GiB', () => {
    expect(readMtpHeader(hex('44494d5a 0000000000000001 00000000 00000000'))).toBe('invalid');
    expect(readMtpHeader(hex('44494d5a 0000000000000001 00200001 00000000'))).toBe('invalid');
    expect(readMtpHeader(hex('44494d5a 0000000000000001 00000002 00000002'))).toBe('invalid');
    expect(readMtpHeader(hex('44494d22 40000001'))).toBe('invalid');
    expect(readMtpHeader(hex('44494d22 ffffffff'))).toBe('invalid');
  });

  it('reads a header at an offset', () => {
    const bytes = hex('0000 44494d22 00000003');
    expect(readMtpHeader(bytes, 2)).toMatchObject({ headerLength: 8, bodyLength: 3 });
  });

  it('encodes the form implied by the fields present', () => {
    expect(encodeMtpHeader({ type: MtpDataType.Message, sn: 7n, bodyLength: 5 })).toEqual(
      hex('44494d42 0000000000000007 00000005'),
    );
    expect(encodeMtpHeader({ type: MtpDataType.Command, bodyLength: 4 })).toEqual(hex('44494d20 00000004'));
    expect(encodeMtpHeader({ type: MtpDataType.MessageResponse })).toEqual(hex('44494d13'));
    expect(encodeMtpHeader({ type: MtpDataType.MessageFragment, sn: 1n, pages: 3, index: 2, bodyLength: 9 })).toEqual(
      hex('44494d6a 0000000000000001 00000003 00000002 00000009'),
    );
    expect(encodeMtpFrame({ type: MtpDataType.MessageResponse, sn: 7n }, new TextEncoder().encode('OK'))).toEqual(
      hex('44494d43 0000000000000007 00000002 4f4b'),
    );
  });

  it('throws RangeError for values outside §1.4 (a caller bug)', () => {
    expect(() => encodeMtpHeader({ type: 4 as MtpDataType })).toThrow(RangeError);
    expect(() => encodeMtpHeader({ type: 2, sn: -1n })).toThrow(RangeError);
    expect(() => encodeMtpHeader({ type: 2, sn: 1n << 64n })).toThrow(RangeError);
    expect(() => encodeMtpHeader({ type: 2, pages: 2, index: 0 })).toThrow(RangeError);
    expect(() => encodeMtpHeader({ type: 0x0a, sn: 1n, pages: MTP_MAX_PAGES + 1, index: 0 })).toThrow(RangeError);
    expect(() => encodeMtpHeader({ type: 0x0a, sn: 1n, pages: 2, index: 2 })).toThrow(RangeError);
    expect(() => encodeMtpHeader({ type: 2, bodyLength: 2 ** 30 + 1 })).toThrow(RangeError);
    expect(() => encodeMtpHeader({ type: 2, bodyLength: 1.5 })).toThrow(RangeError);
  });

  it('round-trips any valid header', () => {
    const init = fc.record(
      {
        type: fc.constantFrom(0, 1, 2, 3, 0x0a) as fc.Arbitrary<MtpDataType>,
        sn: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        frag: fc.option(
          fc.integer({ min: 1, max: MTP_MAX_PAGES }).chain((p) => fc.tuple(fc.constant(p), fc.nat(p - 1))),
        ),
        bodyLength: fc.option(fc.integer({ min: 0, max: 2 ** 30 }), { nil: undefined }),
        withSn: fc.boolean(),
      },
      { requiredKeys: ['type', 'sn', 'frag', 'withSn'] },
    );
    fc.assert(
      fc.property(init, ({ type, sn, frag, bodyLength, withSn }) => {
        const useSn = withSn || frag !== null;
        const bytes = encodeMtpHeader({
          type,
          sn: useSn ? sn : undefined,
          pages: frag?.[0],
          index: frag?.[1],
          bodyLength,
        });
        const h = header(bytes);
        expect(h.headerLength).toBe(bytes.length);
        expect(h.type).toBe(type);
        expect(h.sn).toBe(useSn ? sn : undefined);
        expect(h.pages).toBe(frag?.[0] ?? 1);
        expect(h.index).toBe(frag?.[1] ?? 0);
        expect(h.bodyLength).toBe(bodyLength ?? -1);
      }),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(40), (bytes, offset) => {
        const r = readMtpHeader(Uint8Array.of(0x44, 0x49, 0x4d, ...bytes), offset % (bytes.length + 4));
        expect(typeof r === 'string' || typeof r === 'object').toBe(true);
      }),
    );
  });
});
