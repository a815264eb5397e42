import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DimError } from '@dimkit/protocol';
import { DEFAULT_STATION_CONFIG, advertisedHost, loadStationConfig, parseStationConfig } from './config.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof DimError ? error.code : `not a DimError: ${String(error)}`;
  }
  return undefined;
}

describe('station config', () => {
  it('defaults to port 9394, ./.data, the reference inbox limits and a 30 s handshake deadline', () => {
    const config = parseStationConfig({});
    expect(config).toEqual(DEFAULT_STATION_CONFIG);
    expect(config.port).toBe(9394);
    expect(config.dataDir).toBe('./.data');
    expect(config.inbox.retentionSeconds).toBe(7 * 24 * 3600);
    expect(config.inbox.maxPerReceiver).toBe(20_480);
    expect(config.session.handshakeTimeoutMs).toBe(30_000);
    expect(config.session.maxSuspended).toBe(32);
  });

  it('merges sections one level deep over the base', () => {
    const base = parseStationConfig({ port: 1000, session: { maxSuspended: 5 } });
    const config = parseStationConfig({ session: { maxRefusals: 7 }, ans: { archivist: 'station@anywhere' } }, base);
    expect(config.port).toBe(1000);
    expect(config.session.maxSuspended).toBe(5);
    expect(config.session.maxRefusals).toBe(7);
    expect(config.session.receiptIntervalMs).toBe(250);
    expect(config.session.receiptBurst).toBe(4);
    const unpaced = parseStationConfig({ session: { receiptIntervalMs: 0, receiptBurst: 1 } }, base);
    expect([unpaced.session.receiptIntervalMs, unpaced.session.receiptBurst]).toEqual([0, 1]);
    expect(() => parseStationConfig({ session: { receiptBurst: 0 } }, base)).toThrow(/session\.receiptBurst/);
    expect(config.ans).toEqual({ archivist: 'station@anywhere' });
  });

  it('refuses unknown keys, wrong types, out-of-range values and bad ANS records with config.invalid', () => {
    for (const input of [
      null,
      [],
      { prot: 9394 },
      { port: '9394' },
      { port: 70000 },
      { logLevel: 'loud' },
      { session: { handshakeTimeoutMs: 0 } },
      { session: { unknown: 1 } },
      { inbox: { maxPerReceiver: 1.5 } },
      { transport: { maxPayload: 1 } },
      { ans: { 'bad name': 'station@anywhere' } },
      { ans: { archivist: 'not an id' } },
      { advertise: { port: 0 } },
    ]) {
      expect(codeOf(() => parseStationConfig(input))).toBe('config.invalid');
    }
  });

  it('advertises the bound host, or 127.0.0.1 for a wildcard, unless told otherwise', () => {
    expect(advertisedHost(parseStationConfig({ host: '10.1.2.3' }))).toBe('10.1.2.3');
    expect(advertisedHost(parseStationConfig({ host: '0.0.0.0' }))).toBe('127.0.0.1');
    expect(advertisedHost(parseStationConfig({ advertise: { host: 'dim.example.org' } }))).toBe('dim.example.org');
  });

  it('loads a JSON file, and reports an unreadable or invalid one as config.invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dim-config-'));
    try {
      const file = join(dir, 'station.json');
      writeFileSync(file, JSON.stringify({ port: 1234, inbox: { retentionSeconds: 60 } }));
      const config = loadStationConfig(file);
      expect(config.port).toBe(1234);
      expect(config.inbox.retentionSeconds).toBe(60);
      writeFileSync(file, '{ not json');
      expect(codeOf(() => loadStationConfig(file))).toBe('config.invalid');
      expect(codeOf(() => loadStationConfig(join(dir, 'missing.json')))).toBe('config.invalid');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
