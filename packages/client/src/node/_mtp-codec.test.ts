import { describe, expect, it } from 'vitest';
import { encodeMtp, MtpReader, MtpStreamError, MtpType } from './_mtp-codec.js';

const body = (text: string) => Buffer.from(text);

describe('MTP codec (station spec §1.4)', () => {
  it('writes a 16-byte header: DIM, 0x4 + type, SN, length', () => {
    const frame = encodeMtp(MtpType.MESSAGE, 0x0102030405060708n, body('{}'));
    expect([...frame.subarray(0, 16)]).toEqual([0x44, 0x49, 0x4d, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 2]);
    expect(frame.subarray(16).toString()).toBe('{}');
  });

  it('reads packages split at every offset', () => {
    const stream = Buffer.concat([
      encodeMtp(MtpType.MESSAGE, 7n, body('{"a":1}')),
      encodeMtp(MtpType.COMMAND_RESPONSE, 8n, body('PONG')),
      encodeMtp(MtpType.MESSAGE_RESPONSE, 9n, body('')),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new MtpReader(1024);
      const got = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut))];
      expect(got.map((p) => [p.type, p.sn, p.body.toString()])).toEqual([
        [MtpType.MESSAGE, 7n, '{"a":1}'],
        [MtpType.COMMAND_RESPONSE, 8n, 'PONG'],
        [MtpType.MESSAGE_RESPONSE, 9n, ''],
      ]);
    }
  });

  it('reads the 8- and 24-byte header forms too', () => {
    const short = Buffer.from([0x44, 0x49, 0x4d, 0x22, 0, 0, 0, 2, 0x7b, 0x7d]);
    const long = Buffer.concat([
      Buffer.from([0x44, 0x49, 0x4d, 0x62, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2]),
      body('{}'),
    ]);
    const got = new MtpReader(1024).push(Buffer.concat([short, long]));
    expect(got.map((p) => [p.type, p.sn, p.body.toString()])).toEqual([
      [MtpType.MESSAGE, 0n, '{}'],
      [MtpType.MESSAGE, 5n, '{}'],
    ]);
  });

  it('skips garbage up to the next DIM', () => {
    const reader = new MtpReader(1024);
    const got = reader.push(Buffer.concat([body('xxDIxDI'), encodeMtp(MtpType.MESSAGE, 1n, body('ok'))]));
    expect(got.map((p) => p.body.toString())).toEqual(['ok']);
  });

  it('fails on a body over the limit, before buffering it', () => {
    const reader = new MtpReader(10);
    const header = encodeMtp(MtpType.MESSAGE, 1n, Buffer.alloc(11)).subarray(0, 16);
    expect(() => reader.push(header)).toThrow(MtpStreamError);
  });

  it('fails on endless garbage', () => {
    const reader = new MtpReader(10, 100);
    expect(() => reader.push(Buffer.alloc(200, 0x20))).toThrow(MtpStreamError);
  });
});
