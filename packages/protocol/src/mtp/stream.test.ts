import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMtpFrame, encodeMtpHeader, MtpDataType } from './header.js';
import { MtpStreamParser } from './stream.js';
import type { MtpFrame, MtpStreamError } from './stream.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Feeds `chunks` and returns the frames (bodies copied, so views can't change under the test) and the error. */
function run(
  chunks: Uint8Array[],
  maxBodyBytes = 1 << 20,
  maxGarbageBytes?: number,
): { frames: MtpFrame[]; error: MtpStreamError | null; parser: MtpStreamParser } {
  const frames: MtpFrame[] = [];
  const parser = new MtpStreamParser({ maxBodyBytes, maxGarbageBytes }, (f) =>
    frames.push({ header: f.header, body: f.body.slice() }),
  );
  let error: MtpStreamError | null = null;
  for (const c of chunks) error = parser.push(c) ?? error;
  return { frames, error, parser };
}

const a = encodeMtpFrame({ type: MtpDataType.Message, sn: 1n }, utf8('{"a":1}'));
const b = encodeMtpFrame({ type: MtpDataType.Command }, utf8('PING'));
const c = encodeMtpFrame({ type: MtpDataType.MessageFragment, sn: 3n, pages: 2, index: 1 }, utf8('frag'));
const empty = encodeMtpFrame({ type: MtpDataType.MessageResponse, sn: 4n }, new Uint8Array(0));
const stream = concat(a, b, c, empty);

function expectAll(frames: MtpFrame[]): void {
  expect(frames.map((f) => text(f.body))).toEqual(['{"a":1}', 'PING', 'frag', '']);
  expect(frames.map((f) => f.header.sn)).toEqual([1n, undefined, 3n, 4n]);
  expect(frames[2]!.header).toMatchObject({ pages: 2, index: 1, headerLength: 24 });
}

describe('MTP stream parser', () => {
  it('reads consecutive 8-, 16- and 24-byte-header packages from one chunk, bodies as views', () => {
    const seen: Uint8Array[] = [];
    const parser = new MtpStreamParser({ maxBodyBytes: 100 }, (f) => seen.push(f.body));
    expect(parser.push(stream)).toBeNull();
    expect(seen).toHaveLength(4);
    expect(seen[0]!.buffer).toBe(stream.buffer);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('gives the same packages when the stream is split at every offset', () => {
    for (let i = 0; i <= stream.length; i++) {
      const { frames, error } = run([stream.subarray(0, i), stream.subarray(i)]);
      expect(error).toBeNull();
      expectAll(frames);
    }
  });

  it('gives the same packages when split at every pair of offsets', () => {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const { frames } = run([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]);
        expectAll(frames);
      }
    }
  });

  it('gives the same packages when fed one byte at a time', () => {
    const { frames, parser } = run([...stream].map((x) => Uint8Array.of(x)));
    expectAll(frames);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('drops garbage before a header and resynchronises on the next DIM', () => {
    const garbage = utf8('hello DI DIX DIM\xff not a header');
    const { frames, error, parser } = run([concat(garbage, stream)]);
    expect(error).toBeNull();
    expectAll(frames);
    expect(parser.droppedBytes).toBe(garbage.length);
  });

  it('resynchronises with garbage prefixes split at every offset', () => {
    const input = concat(utf8('xxDIDIMzzD'), a, utf8('\x00\x01'), b, c, utf8('DI'), empty);
    for (let i = 0; i <= input.length; i++) {
      const { frames, error } = run([input.subarray(0, i), input.subarray(i)]);
      expect(error).toBeNull();
      expectAll(frames);
    }
  });

  it('treats UDP header forms (no body length) as garbage on a stream', () => {
    const udp = encodeMtpHeader({ type: MtpDataType.Message, sn: 9n });
    const { frames } = run([concat(udp, a)]);
    expect(frames.map((f) => f.header.sn)).toEqual([1n]);
  });

  it('rejects a declared body over the limit before receiving any of it', () => {
    const header = encodeMtpHeader({ type: MtpDataType.Message, sn: 1n, bodyLength: 101 });
    const { frames, error, parser } = run([header], 100);
    expect(error).toBe('limit.payload');
    expect(frames).toEqual([]);
    expect(parser.bufferedBytes).toBe(0);
    expect(parser.push(a)).toBe('limit.payload');
  });

  it('accepts a body of exactly the limit', () => {
    const body = new Uint8Array(100).fill(0x41);
    const { frames, error } = run([encodeMtpFrame({ type: 2, sn: 1n }, body)], 100);
    expect(error).toBeNull();
    expect(frames[0]!.body).toEqual(body);
  });

  it('gives up after more than maxGarbageBytes of garbage in a row', () => {
    expect(run([new Uint8Array(64)], 100, 64).error).toBeNull();
    expect(run([new Uint8Array(65)], 100, 64).error).toBe('protocol.mtp');
    expect(run([new Uint8Array(40), new Uint8Array(40)], 100, 64).error).toBe('protocol.mtp');
    // A valid package resets the count.
    expect(run([new Uint8Array(40), a, new Uint8Array(40)], 100, 64).error).toBeNull();
  });

  it('keeps at most two bytes of garbage between chunks', () => {
    const { parser } = run([utf8('garbage garbage DI')]);
    expect(parser.bufferedBytes).toBe(2);
    const { parser: p2 } = run([new Uint8Array(5000)]);
    expect(p2.bufferedBytes).toBe(0);
  });

  it('copies a body split across chunks exactly once, into a buffer of its declared size', () => {
    const body = new Uint8Array(1000).map((_, i) => i & 0xff);
    const frame = encodeMtpFrame({ type: 2, sn: 5n }, body);
    const seen: Uint8Array[] = [];
    const parser = new MtpStreamParser({ maxBodyBytes: 2000 }, (f) => seen.push(f.body));
    parser.push(frame.subarray(0, 300));
    expect(parser.bufferedBytes).toBe(300 - 16);
    parser.push(frame.subarray(300));
    expect(seen[0]).toEqual(body);
    expect(seen[0]!.buffer.byteLength).toBe(1000);
  });

  it('checks its options', () => {
    expect(() => new MtpStreamParser({ maxBodyBytes: -1 }, () => {})).toThrow(RangeError);
    expect(() => new MtpStreamParser({ maxBodyBytes: 2 ** 30 + 1 }, () => {})).toThrow(RangeError);
    expect(() => new MtpStreamParser({ maxBodyBytes: 1, maxGarbageBytes: 0.5 }, () => {})).toThrow(RangeError);
  });

  describe('fuzz', () => {
    const frameArb = fc
      .record({
        type: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
        sn: fc.option(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { nil: undefined }),
        body: fc.uint8Array({ maxLength: 60 }),
      })
      .map(({ type, sn, body }) => ({ sn, body, bytes: encodeMtpFrame({ type, sn }, body) }));
    /** Garbage that cannot contain a magic: no 'D' bytes. */
    const garbageArb = fc.uint8Array({ maxLength: 20 }).map((g) => g.map((x) => (x === 0x44 ? 0x45 : x)));

    function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
      const points = [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((x, y) => x - y);
      const out: Uint8Array[] = [];
      let prev = 0;
      for (const p of points) {
        out.push(bytes.subarray(prev, p));
        prev = p;
      }
      out.push(bytes.subarray(prev));
      return out;
    }

    it('recovers every package separated by garbage, however the stream is chunked', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(garbageArb, frameArb), { maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          (items, cuts) => {
            const bytes = concat(...items.flatMap(([g, f]) => [g, f.bytes]));
            const { frames, error } = run(splitAt(bytes, cuts), 1 << 20, 1 << 20);
            expect(error).toBeNull();
            expect(frames.map((f) => f.body)).toEqual(items.map(([, f]) => f.body));
            expect(frames.map((f) => f.header.sn)).toEqual(items.map(([, f]) => f.sn));
          },
        ),
      );
    });

    it('never throws on random bytes or mutated streams, and never emits a body over the limit', () => {
      const mutated = fc
        .tuple(fc.array(frameArb, { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(fc.nat(), fc.nat(255))))
        .map(([frames, flips]) => {
          const bytes = concat(...frames.map((f) => f.bytes));
          for (const [at, v] of flips) bytes[at % bytes.length] = v;
          return bytes;
        });
      fc.assert(
        fc.property(
          fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated),
          fc.array(fc.nat(), { maxLength: 6 }),
          fc.integer({ min: 0, max: 64 }),
          (bytes, cuts, max) => {
            const bodies: number[] = [];
            const parser = new MtpStreamParser({ maxBodyBytes: max, maxGarbageBytes: 100 }, (f) =>
              bodies.push(f.body.length),
            );
            for (const chunk of splitAt(bytes, cuts)) {
              const r = parser.push(chunk);
              expect(r === null || r === 'limit.payload' || r === 'protocol.mtp').toBe(true);
            }
            expect(bodies.every((n) => n <= max)).toBe(true);
            expect(parser.bufferedBytes).toBeLessThanOrEqual(max + 24);
          },
        ),
        { numRuns: 500 },
      );
    });
  });
});
