import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ackSignature, ackToken, controlWord, forEachMessage, isAck, naiveValue } from './_payload.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const frames = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/vectors/webclient-v1/frames.json', import.meta.url), 'utf8'),
) as { frames: { wire: string }[] };

function messages(payload: string): string[] {
  const out: string[] = [];
  forEachMessage(utf8(payload), out, (list, m) => list.push(text(m)));
  return out;
}

/** What a reference web client answers to a received payload (§1.7), built the way it builds it. */
function referenceAck(payload: string): string {
  const bytes = utf8(payload);
  return `ACK:{"time":${naiveValue(bytes, 'time')},"signature":"${naiveValue(bytes, 'signature')}"}`;
}

describe('frame payloads (§1.3, §1.6, §1.7)', () => {
  it('recognises exactly the control words PING, PONG, NOOP and OK', () => {
    expect(controlWord(utf8('PING'))).toBe('PING');
    expect(controlWord(utf8('PONG'))).toBe('PONG');
    expect(controlWord(utf8('NOOP'))).toBe('NOOP');
    expect(controlWord(utf8('OK'))).toBe('OK');
    expect(controlWord(utf8('ping'))).toBeUndefined();
    expect(controlWord(utf8('PING\n'))).toBeUndefined();
    expect(controlWord(utf8('{}'))).toBeUndefined();
    expect(controlWord(new Uint8Array(0))).toBeUndefined();
  });

  it('recognises ACK: payloads', () => {
    expect(isAck(utf8('ACK:{}'))).toBe(true);
    expect(isAck(utf8('ACK'))).toBe(false);
    expect(isAck(utf8('{"ACK:":1}'))).toBe(false);
  });

  it('splits a payload starting with { on newlines, skipping empty lines', () => {
    expect(messages('{"a":1}')).toEqual(['{"a":1}']);
    expect(messages('{"a":1}\n{"b":2}\n')).toEqual(['{"a":1}', '{"b":2}']);
    expect(messages('{"a":1}\n\n\r\n{"b":2}\r\n{"c":3}')).toEqual(['{"a":1}', '{"b":2}\r', '{"c":3}']);
  });

  it('passes any other payload on whole, newlines included', () => {
    expect(messages('not json\nsecond line')).toEqual(['not json\nsecond line']);
  });

  it('hands out views of the payload, not copies', () => {
    const bytes = utf8('{"a":1}\n{"b":2}');
    const seen: Uint8Array[] = [];
    forEachMessage(bytes, seen, (list, m) => list.push(m));
    expect(seen.every((m) => m.buffer === bytes.buffer)).toBe(true);
  });

  it('scans values the way reference clients do: first occurrence, up to , or }, quotes stripped', () => {
    expect(naiveValue(utf8('{"time":1795541666.464,"signature":"abc=="}'), 'signature')).toBe('abc==');
    expect(naiveValue(utf8('{"time" : 17 }'), 'time')).toBe('17');
    expect(naiveValue(utf8('{"signature":"MEQ=="},"x":1'), 'signature')).toBe('MEQ=="}');
    expect(naiveValue(utf8('{"sig":"x"}'), 'signature')).toBeUndefined();
    expect(naiveValue(utf8('{"signature" "x"'), 'signature')).toBeUndefined();
  });

  it('reduces signatures to their first Base64 run', () => {
    expect(ackToken('MEQ=="}')).toBe('MEQ==');
    expect(ackToken('a-b_c+/=')).toBe('a-b_c+/=');
    expect(ackToken('\\"MEQ==\\"}')).toBe('MEQ==');
    expect(ackToken('"}')).toBe('');
  });

  it('reads the signature of a well-formed ACK with a JSON parse', () => {
    expect(ackSignature(utf8('ACK:{"time":1795541666.464,"signature":"MEUCIQD4+/x="}'))).toBe('MEUCIQD4+/x=');
    expect(ackSignature(utf8('ACK:{"time":1}'))).toBeUndefined();
    expect(ackSignature(utf8('ACK:{"signature":5}'))).toBeUndefined();
    expect(ackSignature(utf8('ACK:[1]'))).toBeUndefined();
  });

  it('reads the usual ACK without a parser, and leaves anything unusual to JSON', () => {
    expect(ackSignature(utf8('ACK:{"time":1, "signature" : "MEQ+/=="}'))).toBe('MEQ+/==');
    // Two signature keys: JSON's answer (the last one), not the first match.
    expect(ackSignature(utf8('ACK:{"signature":"AAAA","signature":"BBBB"}'))).toBe('BBBB');
    // A key that only ends in "signature" (after an escaped quote) is not the signature field.
    expect(ackSignature(utf8('ACK:{"a\\"signature":"AAAA"}'))).toBeUndefined();
    expect(ackSignature(utf8('ACK:{"x":"\\"signature\\":\\"AAAA\\"","signature":"BBBB"}'))).toBe('BBBB');
  });

  it('falls back to the naive scan when the ACK is not valid JSON', () => {
    expect(ackSignature(utf8('ACK:{"time":1,"signature":"MEQ=="}"}'))).toBe('MEQ==');
    expect(ackSignature(utf8("ACK:{time:1, signature: 'abc'}"))).toBe('abc');
    expect(ackSignature(utf8('ACK:garbage'))).toBeUndefined();
  });

  it('matches the ACK a reference web client sends for every vector frame (webclient-v1)', () => {
    for (const { wire } of frames.frames) {
      const bytes = utf8(wire);
      const scanned = ackToken(naiveValue(bytes, 'signature')!);
      expect(ackSignature(utf8(referenceAck(wire)))).toBe(scanned);
    }
  });

  it('sees that the first vector frame acknowledges its nested visa signature, not its own', () => {
    const wire = frames.frames[0]!.wire;
    const own = (JSON.parse(wire) as { signature: string }).signature;
    const visa = (JSON.parse(wire) as { visa: { signature: string } }).visa.signature;
    expect(ackSignature(utf8(referenceAck(wire)))).toBe(visa);
    expect(visa).not.toBe(own);
  });
});
