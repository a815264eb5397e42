import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDimError } from '@dimkit/protocol';
import { identityToJson, updateVisa, type Identity } from '@dimkit/protocol/account';
import { decodeBase64 } from '@dimkit/protocol/encoding';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteClientStore } from '../src/node/index.js';
import { newUser } from './fake-station.js';
import { describeClientStore } from './store-contract.js';

const KDF = { N: 2 ** 10, r: 8, p: 1 };
const dirs: string[] = [];
function tempFile(name = 'client.db'): string {
  const dir = mkdtempSync(join(tmpdir(), 'dim-client-store-'));
  dirs.push(dir);
  return join(dir, name);
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const alice = newUser('alice');

async function created(identity: Identity = alice, passphrase = 'correct horse'): Promise<SqliteClientStore> {
  return SqliteClientStore.create(tempFile(), { identity, passphrase, kdf: KDF });
}

describeClientStore('SqliteClientStore', async () => {
  const store = await created();
  return {
    store,
    reopen: async () => {
      await store.close();
      return SqliteClientStore.open(store.path, { passphrase: 'correct horse' });
    },
  };
});

function fileBytes(path: string): Buffer {
  return Buffer.concat([path, `${path}-wal`].filter(existsSync).map((p) => readFileSync(p)));
}

/** Substrings of a PEM or hex private key text worth looking for: long runs of its body. */
function secretNeedles(identity: Identity): Buffer[] {
  const needles: Buffer[] = [];
  const json = identityToJson(identity);
  for (const field of ['privateKey', 'visaPrivateKey'] as const) {
    const dict = json[field] as { algorithm: string; data: string } | undefined;
    if (dict === undefined) continue;
    if (dict.algorithm === 'ECC') {
      needles.push(Buffer.from(dict.data, 'utf8'), Buffer.from(dict.data, 'hex'));
      continue;
    }
    // RSA: the PKCS#1 private PEM body, as text and as DER bytes (chunks, to catch any re-encoding).
    const pem = dict.data.slice(dict.data.indexOf('-----BEGIN RSA PRIVATE KEY-----'));
    const lines = pem.split(/\r?\n/).filter((line) => line !== '' && !line.startsWith('-----'));
    const der = Buffer.from(decodeBase64(lines.join('')));
    needles.push(Buffer.from(lines[2]!, 'utf8'), Buffer.from(lines[5]!, 'utf8'));
    for (let at = 64; at + 32 <= der.length; at += 96) needles.push(der.subarray(at, at + 32));
  }
  return needles;
}

describe('SqliteClientStore encryption at rest', () => {
  it('stores no private key bytes in the database file or its WAL', async () => {
    const store = await created();
    await store.saveCipherKey({
      sender: alice.id.text,
      destination: 'x@4WDfe3zZ4T7opFSi3iDAKiuTnUHjxmXekk',
      key: { algorithm: 'AES', data: 'q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=' },
      since: 1,
    });
    const bytes = fileBytes(store.path);
    const needles = secretNeedles(alice);
    expect(needles.length).toBeGreaterThan(4);
    for (const needle of needles) expect(bytes.includes(needle)).toBe(false);
    // nor the message key
    expect(bytes.includes(Buffer.from('q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k='))).toBe(false);
    expect(bytes.includes(Buffer.from('q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=', 'base64'))).toBe(false);
    // while the public parts are there (the needles would be found if they were stored in clear)
    expect(bytes.includes(Buffer.from(alice.id.text))).toBe(true);
    await store.close();
  });

  it('the needles do find a key written in clear (the test above can fail)', () => {
    const json = identityToJson(alice);
    const ecc = (json['privateKey'] as { data: string }).data;
    const rsa = (json['visaPrivateKey'] as { data: string }).data;
    const pemLines = rsa
      .slice(rsa.indexOf('-----BEGIN RSA PRIVATE KEY-----'))
      .split(/\r?\n/)
      .filter((line) => line !== '' && !line.startsWith('-----'));
    const haystack = Buffer.concat([
      Buffer.from(JSON.stringify(json)),
      Buffer.from(ecc, 'hex'),
      Buffer.from(decodeBase64(pemLines.join(''))),
    ]);
    for (const needle of secretNeedles(alice)) expect(haystack.includes(needle)).toBe(true);
  });

  it('opens with the right passphrase and gives back the same identity', async () => {
    const store = await created();
    await store.close();
    const again = await SqliteClientStore.open(store.path, { passphrase: 'correct horse' });
    expect(again.identity.id.text).toBe(alice.id.text);
    expect(identityToJson(again.identity)).toEqual(identityToJson(alice));
    await again.close();
  });

  it('refuses a wrong passphrase with client.passphrase', async () => {
    const store = await created();
    await store.close();
    const error = await SqliteClientStore.open(store.path, { passphrase: 'wrong horse' }).catch((e: unknown) => e);
    expect(isDimError(error, 'client.passphrase')).toBe(true);
  });

  it('changes the passphrase; the old one stops working', async () => {
    const store = await created();
    await store.changePassphrase('new one', { kdf: KDF });
    await store.close();
    expect(
      isDimError(
        await SqliteClientStore.open(store.path, { passphrase: 'correct horse' }).catch((e) => e),
        'client.passphrase',
      ),
    ).toBe(true);
    const again = await SqliteClientStore.open(store.path, { passphrase: 'new one' });
    expect(again.identity.id.text).toBe(alice.id.text);
    await again.close();
  });

  it('replaces the identity (a new visa) and keeps it sealed', async () => {
    const store = await created();
    const renamed = updateVisa(alice, { name: 'Alice B.' });
    await store.replaceIdentity(renamed);
    await store.close();
    const again = await SqliteClientStore.open(store.path, { passphrase: 'correct horse' });
    expect(again.identity.visa!.properties['name']).toBe('Alice B.');
    await expect(again.replaceIdentity(newUser('mallory'))).rejects.toBeInstanceOf(RangeError);
    await again.close();
  });

  it('reports a damaged vault as store.failure, not as a wrong passphrase', async () => {
    const store = await created();
    await store.close();
    const db = new BetterSqlite3(store.path);
    const row = db.prepare('SELECT private_keys FROM vault').get() as { private_keys: Buffer };
    row.private_keys[40] = row.private_keys[40]! ^ 1;
    db.prepare('UPDATE vault SET private_keys = ?').run(row.private_keys);
    db.close();
    const error = await SqliteClientStore.open(store.path, { passphrase: 'correct horse' }).catch((e: unknown) => e);
    expect(isDimError(error, 'store.failure')).toBe(true);
  });

  it('migrates a database of schema 1 (adds the due-outbox index)', async () => {
    const store = await created();
    await store.close();
    const db = new BetterSqlite3(store.path);
    db.exec('DROP INDEX outbox_due');
    db.pragma('user_version = 1');
    db.close();
    const again = await SqliteClientStore.open(store.path, { passphrase: 'correct horse' });
    await again.close();
    const check = new BetterSqlite3(store.path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(2);
    expect(check.prepare(`SELECT name FROM sqlite_master WHERE name = 'outbox_due'`).get()).toBeDefined();
    check.close();
  });

  it('refuses a database written by a newer dimkit (store.schema)', async () => {
    const store = await created();
    await store.close();
    const db = new BetterSqlite3(store.path);
    db.pragma('user_version = 99');
    db.close();
    const error = await SqliteClientStore.open(store.path, { passphrase: 'correct horse' }).catch((e: unknown) => e);
    expect(isDimError(error, 'store.schema')).toBe(true);
  });

  it('refuses to create over an existing profile, and tells what a file holds without unlocking', async () => {
    const store = await created();
    expect(SqliteClientStore.inspect(store.path)).toEqual({ id: alice.id.text, unlock: 'passphrase' });
    const error = await SqliteClientStore.create(store.path, { identity: alice, passphrase: 'p', kdf: KDF }).catch(
      (e: unknown) => e,
    );
    expect(isDimError(error, 'store.failure')).toBe(true);
    expect(SqliteClientStore.inspect(join(tmpdir(), 'no-such-file.db'))).toBeUndefined();
    await store.close();
  });

  it('uses WAL and makes the file private', async () => {
    const store = await created();
    const db = new BetterSqlite3(store.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    const { statSync } = await import('node:fs');
    expect(statSync(store.path).mode & 0o077).toBe(0);
    await store.close();
  });

  it('a closed store refuses calls with store.failure', async () => {
    const store = await created();
    await store.close();
    const error = await store.getSetting('x').catch((e: unknown) => e);
    expect(isDimError(error, 'store.failure')).toBe(true);
  });
});
