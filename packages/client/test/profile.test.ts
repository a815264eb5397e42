import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDimError } from '@dimkit/protocol';
import { identityToJson } from '@dimkit/protocol/account';
import { afterAll, describe, expect, it } from 'vitest';
import { openProfile, SqliteClientStore } from '../src/node/index.js';
import { newUser } from './fake-station.js';

const KDF = { N: 2 ** 10, r: 8, p: 1 };
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dim-profile-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const alice = newUser('alice');
const bob = newUser('bob');

function identityFile(dir: string, identity = alice): string {
  const file = join(dir, `${identity.id.text}.json`);
  writeFileSync(file, JSON.stringify(identityToJson(identity)));
  return file;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('openProfile', () => {
  it('with --me and no passphrase: creates <home>/<address>.db unlocked by the identity file, and reopens it', async () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    const me = identityFile(dir);
    const store = await openProfile({ home, me, kdf: KDF, passphrase: '' });
    expect(store.path).toBe(join(home, `${alice.id.address.text}.db`));
    expect(SqliteClientStore.inspect(store.path)).toEqual({ id: alice.id.text, unlock: 'identity' });
    await store.putSetting('x', '1');
    await store.close();
    const again = await openProfile({ home, me, passphrase: '' });
    expect(await again.getSetting('x')).toBe('1');
    await again.close();
    // without the identity file it cannot be unlocked
    expect(isDimError(await caught(openProfile({ home, passphrase: 'guess' })), 'client.passphrase')).toBe(true);
  });

  it('with a passphrase: the profile opens without --me, and not with a wrong passphrase', async () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    const store = await openProfile({ home, me: identityFile(dir), passphrase: 'secret', kdf: KDF });
    expect(SqliteClientStore.inspect(store.path)!.unlock).toBe('passphrase');
    await store.close();
    const again = await openProfile({ home, passphrase: 'secret' });
    expect(again.identity.id.text).toBe(alice.id.text);
    await again.close();
    expect(isDimError(await caught(openProfile({ home, passphrase: 'wrong' })), 'client.passphrase')).toBe(true);
    expect(isDimError(await caught(openProfile({ home, passphrase: '' })), 'client.passphrase')).toBe(true);
  });

  it('takes the passphrase from DIM_PASSPHRASE', async () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    const saved = process.env['DIM_PASSPHRASE'];
    process.env['DIM_PASSPHRASE'] = 'from env';
    try {
      const store = await openProfile({ home, me: identityFile(dir), kdf: KDF });
      expect(SqliteClientStore.inspect(store.path)!.unlock).toBe('passphrase');
      await store.close();
      const again = await openProfile({ home });
      await again.close();
    } finally {
      if (saved === undefined) delete process.env['DIM_PASSPHRASE'];
      else process.env['DIM_PASSPHRASE'] = saved;
    }
  });

  it('chooses among several profiles with --profile (ID or address), and asks when it cannot', async () => {
    const dir = tempDir();
    const home = join(dir, 'home');
    for (const who of [alice, bob]) {
      await (await openProfile({ home, me: identityFile(dir, who), passphrase: 'pw', kdf: KDF })).close();
    }
    expect(readdirSync(home).filter((f) => f.endsWith('.db'))).toHaveLength(2);
    expect(isDimError(await caught(openProfile({ home, passphrase: 'pw' })), 'cli.usage')).toBe(true);
    const byId = await openProfile({ home, profile: bob.id.text, passphrase: 'pw' });
    expect(byId.identity.id.text).toBe(bob.id.text);
    await byId.close();
    expect(isDimError(await caught(openProfile({ home, profile: 'nobody', passphrase: 'pw' })), 'cli.usage')).toBe(
      true,
    );
  });

  it('refuses an empty home and an unreadable identity file', async () => {
    const dir = tempDir();
    expect(isDimError(await caught(openProfile({ home: join(dir, 'empty') })), 'cli.usage')).toBe(true);
    expect(isDimError(await caught(openProfile({ home: dir, me: join(dir, 'missing.json') })), 'cli.file')).toBe(true);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(isDimError(await caught(openProfile({ home: dir, me: join(dir, 'bad.json') })), 'cli.file')).toBe(true);
  });
});
