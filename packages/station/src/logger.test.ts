import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('station logger', () => {
  it('writes JSON lines and redacts private keys, message bodies and session keys', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const log = createLogger({ level: 'info', destination: sink });
    log.info(
      {
        user: 'alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn',
        privateKey: { data: '-----BEGIN RSA PRIVATE KEY-----' },
        identity: { privateKey: 'secret', visaPrivateKey: 'secret' },
        message: { data: 'plaintext', content: { text: 'hello' } },
        session: 'f'.repeat(64),
      },
      'something happened',
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record['msg']).toBe('something happened');
    expect(record['user']).toBe('alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn');
    expect(lines[0]).not.toMatch(/PRIVATE KEY|secret|plaintext|hello|ffff/);
  });
});
