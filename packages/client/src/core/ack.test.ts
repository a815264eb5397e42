import { describe, expect, it } from 'vitest';
import { naiveValue, wsAckFrame } from './ack.js';

describe('WebSocket ACK frames (station spec §1.7)', () => {
  it('acknowledges a message with its signature and time, time as the digits received', () => {
    const payload = '{"sender":"a","receiver":"b","time":1700000000.120,"data":"xx","signature":"MEUCIQ+/="}';
    expect(wsAckFrame(payload)).toBe('ACK:{"time":1700000000.120,"signature":"MEUCIQ+/="}');
    expect(JSON.parse(wsAckFrame(payload)!.slice(4))).toEqual({ time: 1700000000.12, signature: 'MEUCIQ+/=' });
  });

  it('takes the first occurrence of each tag, as reference clients do (a nested visa may win)', () => {
    const payload =
      '{"sender":"a","visa":{"did":"a","data":"{}","signature":"VISA=="},"time":1.5,"data":"x","signature":"MSG=="}';
    // the scan stops at the first `,`: the visa's closing `"}` stays in the value, as in reference clients
    expect(wsAckFrame(payload)).toBe('ACK:{"time":1.5,"signature":"VISA=="}"}');
  });

  it('reads a value that ends the object, and strips spaces and quotes', () => {
    expect(naiveValue('{"signature" :  "abc" }', 'signature')).toBe('abc');
    expect(naiveValue("{'time': '12'}", 'time')).toBe('12');
    expect(naiveValue('{"time":5,"x":1}', 'time')).toBe('5');
  });

  it('sends nothing for payloads without both values or not starting with {', () => {
    expect(wsAckFrame('PING')).toBeUndefined();
    expect(wsAckFrame(' {"time":1,"signature":"a"}')).toBeUndefined();
    expect(wsAckFrame('{"time":1}')).toBeUndefined();
    expect(wsAckFrame('{"signature":"abc"}')).toBeUndefined();
    expect(wsAckFrame('{"signature":"abc","time":')).toBeUndefined();
    expect(wsAckFrame('{"signature":"","time":1}')).toBeUndefined();
  });

  it('pastes a non-numeric time as scanned (quotes stripped), as reference clients do', () => {
    expect(wsAckFrame('{"time":"1.5","signature":"s"}')).toBe('ACK:{"time":1.5,"signature":"s"}');
  });
});
