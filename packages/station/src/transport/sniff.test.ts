import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMtpFrame, encodeMtpHeader, MtpDataType } from '@dimkit/protocol/mtp';
import { sniff } from './sniff.js';
import type { SniffResult } from './sniff.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

const browserUpgrade =
  'GET / HTTP/1.1\r\nHost: station.example:9394\r\nConnection: Upgrade\r\nPragma: no-cache\r\n' +
  'Upgrade: websocket\r\nOrigin: http://localhost\r\nSec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/** The answer for every prefix shorter than the whole, and for the whole. */
function prefixes(text: string | Uint8Array): { before: Set<SniffResult>; whole: SniffResult } {
  const bytes = typeof text === 'string' ? utf8(text) : text;
  const before = new Set<SniffResult>();
  for (let n = 1; n < bytes.length; n++) before.add(sniff(bytes.subarray(0, n)));
  return { before, whole: sniff(bytes) };
}

describe('sniff (§1.2)', () => {
  it('recognises a browser WebSocket upgrade only once its header block is complete', () => {
    const { before, whole } = prefixes(browserUpgrade);
    expect([...before]).toEqual(['need-more']);
    expect(whole).toBe('websocket');
  });

  it('recognises an upgrade by Sec-WebSocket-Key alone, or by Upgrade alone, in any letter case', () => {
    expect(sniff(utf8('GET /chat HTTP/1.1\r\nsec-websocket-key: x\r\n\r\n'))).toBe('websocket');
    expect(sniff(utf8('GET / HTTP/1.1\r\nHost: a\r\nUPGRADE : WebSocket\r\n\r\n'))).toBe('websocket');
  });

  it('treats other requests as plain HTTP', () => {
    expect(sniff(utf8('GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n'))).toBe('http');
    expect(sniff(utf8('GET / HTTP/1.0\r\n\r\n'))).toBe('http');
    expect(sniff(utf8('POST /upload HTTP/1.1\r\nSec-WebSocket-Key: x\r\n\r\nbody'))).toBe('http');
    expect(sniff(utf8('GET / HTTP/1.1\r\nX-Upgrade-Note: websocket\r\n\r\n'))).toBe('http');
    expect(prefixes('DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n').whole).toBe('http');
  });

  it('waits for headers that arrive in several chunks (the reference drops them)', () => {
    const bytes = utf8(browserUpgrade);
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(sniff(bytes.subarray(0, cut))).toBe('need-more');
    }
  });

  it('hands a header block longer than the limit to HTTP, which answers 431', () => {
    const long = utf8(`GET / HTTP/1.1\r\nX-Pad: ${'a'.repeat(2000)}`);
    expect(sniff(long, 1024)).toBe('http');
    expect(sniff(long, 4096)).toBe('need-more');
  });

  it('recognises an MTP header with a body length at offset 0', () => {
    const frame = encodeMtpFrame({ type: MtpDataType.Message, sn: 1n }, utf8('{}'));
    const { before, whole } = prefixes(frame.subarray(0, 16));
    expect([...before]).toEqual(['need-more']);
    expect(whole).toBe('mtp');
    expect(sniff(encodeMtpHeader({ type: MtpDataType.Command, bodyLength: 4 }))).toBe('mtp');
    expect(sniff(frame)).toBe('mtp');
  });

  it('rejects MTP UDP forms and bad MTP headers', () => {
    expect(sniff(encodeMtpHeader({ type: MtpDataType.Message, sn: 1n }))).toBe('unknown');
    expect(sniff(utf8('DIM\x72xxxxxxxxxxxxxxxxxxxxxxxxxxxx'))).toBe('unknown');
  });

  it('rejects garbage, TLS, HTTP/2 and malformed request lines at the first impossible byte', () => {
    expect(sniff(Uint8Array.of(0x16, 0x03, 0x01))).toBe('unknown');
    expect(sniff(utf8('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'))).toBe('unknown');
    expect(sniff(utf8('hello'))).toBe('unknown');
    expect(sniff(utf8('{"sender":"x"}'))).toBe('unknown');
    expect(sniff(utf8('GET  / HTTP/1.1\r\n'))).toBe('unknown');
    expect(sniff(utf8('GET / FTP/1.1\r\n'))).toBe('unknown');
    expect(sniff(utf8('GET / HTTP/1.1\n'))).toBe('unknown');
    expect(sniff(utf8('GETTINGVERYLONGMETHOD / HTTP/1.1\r\n'))).toBe('unknown');
    expect(sniff(utf8('GET /a\x01b HTTP/1.1\r\n'))).toBe('unknown');
  });

  it('rejects a request line that does not end within the header limit', () => {
    expect(sniff(utf8(`GET /${'a'.repeat(2000)}`), 1024)).toBe('unknown');
  });

  it('waits on empty input and on prefixes shared by HTTP and MTP ("D")', () => {
    expect(sniff(new Uint8Array(0))).toBe('need-more');
    expect(sniff(utf8('D'))).toBe('need-more');
    expect(sniff(utf8('DI'))).toBe('need-more');
    expect(sniff(utf8('DE'))).toBe('need-more');
  });

  it('never throws, and answers need-more only for prefixes that can still be completed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = sniff(bytes, 1024);
        expect(['websocket', 'http', 'mtp', 'need-more', 'unknown']).toContain(r);
        // Once unknown, more bytes never make it known.
        if (r === 'unknown') expect(sniff(Uint8Array.from([...bytes, 0x20, 0x0d, 0x0a]), 1024)).toBe('unknown');
      }),
    );
  });
});
