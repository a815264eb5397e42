import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { isDimError } from '@dimkit/protocol';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { describe, expect, it } from 'vitest';
import { IdentityVault } from './identity-vault.js';

// The vault only seals and opens the file form; a realistic-looking one is enough here.
const alice: JsonObject = {
  id: 'alice@4WDfe3zZ4T7opFSi3iDAKiuTnUHjxmXekk',
  meta: { type: '1', key: { algorithm: 'RSA', data: 'PUBLIC' } },
  privateKey: { algorithm: 'RSA', data: 'PRIVATE-KEY-MATERIAL' },
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isDimError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a DimError');
}

/** Every string stored in the database, to look for leaked secrets. */
async function rawEntries(factory: IDBFactory): Promise<string> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open('dimkit');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const rows = await new Promise<unknown[]>((resolve, reject) => {
    const req = db.transaction('identities').objectStore('identities').getAll();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  db.close();
  return JSON.stringify(rows);
}

describe('IdentityVault', () => {
  it('seals an identity under a passphrase and opens it with the same passphrase only', async () => {
    const factory = new IDBFactory();
    const vault = await IdentityVault.open({ factory, iterations: 1000 });
    const added = await vault.add(alice, 'correct horse', 'Alice');
    expect(added.identity).toEqual(alice);
    expect(await vault.list()).toMatchObject([{ id: alice['id'], name: 'Alice' }]);

    const opened = await vault.unlock(alice['id'] as string, 'correct horse');
    expect(opened.identity).toEqual(alice);
    expect(await codeOf(vault.unlock(alice['id'] as string, 'wrong horse'))).toBe('crypto.decrypt');
    expect(await codeOf(vault.unlock('nobody@4WDfe3zZ4T7opFSi3iDAKiuTnUHjxmXekk', 'x'))).toBe('key.missing');

    const stored = await rawEntries(factory);
    expect(stored).not.toContain('PRIVATE-KEY-MATERIAL');
    expect(stored).not.toContain('correct horse');
    expect(stored).toContain('"iterations":1000');
    vault.close();
  });

  it('gives the same store key on every unlock, usable for AES-GCM', async () => {
    const vault = await IdentityVault.open({ factory: new IDBFactory(), iterations: 1000 });
    const first = await vault.add(alice, 'pw');
    const second = await vault.unlock(alice['id'] as string, 'pw');
    const iv = new Uint8Array(12);
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, first.storeKey, new Uint8Array([1, 2, 3]));
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, second.storeKey, sealed);
    expect([...new Uint8Array(plain)]).toEqual([1, 2, 3]);
    expect(first.storeKey.extractable).toBe(false);
    vault.close();
  });

  it('re-saves a changed identity under the same passphrase', async () => {
    const vault = await IdentityVault.open({ factory: new IDBFactory(), iterations: 1000 });
    const unlocked = await vault.add(alice, 'pw', 'Alice');
    const changed: JsonObject = { ...alice, visa: { did: alice['id']!, data: '{"name":"Alice B"}' } };
    await unlocked.save(changed, 'Alice B');
    expect((await vault.unlock(alice['id'] as string, 'pw')).identity).toEqual(changed);
    expect((await vault.list())[0]!.name).toBe('Alice B');
    await expect(unlocked.save({ ...alice, id: 'other' })).rejects.toThrow(TypeError);
    vault.close();
  });

  it('refuses an entry moved under another ID (the ID is authenticated)', async () => {
    const factory = new IDBFactory();
    const vault = await IdentityVault.open({ factory, iterations: 1000 });
    await vault.add(alice, 'pw');
    const db = await new Promise<IDBDatabase>((resolve) => {
      const req = factory.open('dimkit');
      req.onsuccess = () => resolve(req.result);
    });
    await new Promise<void>((resolve) => {
      const store = db.transaction('identities', 'readwrite').objectStore('identities');
      const get = store.get(alice['id'] as string);
      get.onsuccess = () => {
        store.put({ ...get.result, id: 'mallory' }).onsuccess = () => resolve();
      };
    });
    db.close();
    expect(await codeOf(vault.unlock('mallory', 'pw'))).toBe('crypto.decrypt');
    vault.close();
  });

  it('forgets an identity on remove, and rejects bad arguments', async () => {
    const vault = await IdentityVault.open({ factory: new IDBFactory(), iterations: 1000 });
    await vault.add(alice, 'pw');
    await vault.remove(alice['id'] as string);
    expect(await vault.list()).toEqual([]);
    await expect(vault.add(alice, '')).rejects.toThrow(TypeError);
    await expect(vault.add({ meta: {} }, 'pw')).rejects.toThrow(TypeError);
    await expect(IdentityVault.open({ factory: new IDBFactory(), iterations: 0 })).rejects.toThrow(RangeError);
    vault.close();
  });
});
