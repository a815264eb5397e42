import { afterEach, describe, expect, it } from 'vitest';
import { nodeBackend } from '@dimkit/crypto-node';
import { createIdentity, updateVisa, type Identity } from '@dimkit/protocol/account';
import type { CryptoBackend } from '@dimkit/protocol/crypto';
import type { ReliableMessage } from '@dimkit/protocol/dkd';
import { encodeBase64, decodeBase64, type JsonObject } from '@dimkit/protocol/encoding';
import { documentToDict, metaToDict } from '@dimkit/protocol/mkm';
import { SqliteStore, type Store } from '../store/index.js';
import { learnAttachments, type LearnDeps } from './attachments.js';
import { ContactCache } from './contacts.js';

/** The node backend, counting ECDSA verifications (an ETH user's visa is verified with its ECC meta key). */
function countingBackend(): { backend: CryptoBackend; verifications: () => number } {
  let count = 0;
  const backend: CryptoBackend = Object.freeze({
    ...nodeBackend,
    eccVerify: (publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array) => {
      count++;
      return nodeBackend.eccVerify(publicKey, data, signature);
    },
  });
  return { backend, verifications: () => count };
}

/** A store whose metas.put and documents.put calls are counted. */
function countingStore(store: Store): { store: Store; writes: () => number } {
  let count = 0;
  const metas = { ...store.metas, put: (...a: Parameters<Store['metas']['put']>) => (count++, store.metas.put(...a)) };
  const documents = {
    ...store.documents,
    put: (...a: Parameters<Store['documents']['put']>) => (count++, store.documents.put(...a)),
  };
  return { store: Object.assign(Object.create(store) as Store, { metas, documents }), writes: () => count };
}

function withAttachments(user: Identity, visa: JsonObject | undefined = documentToDict(user.visa!)): ReliableMessage {
  return {
    sender: user.id.text,
    receiver: 'station@anywhere',
    time: Date.now() / 1000,
    data: '{}',
    signature: 'AA==',
    meta: metaToDict(user.meta),
    ...(visa === undefined ? {} : { visa }),
  } as unknown as ReliableMessage;
}

describe('learnAttachments', () => {
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  function setup() {
    const sqlite = new SqliteStore(':memory:');
    stores.push(sqlite);
    const counted = countingStore(sqlite);
    const crypto = countingBackend();
    const deps: LearnDeps = {
      store: counted.store,
      contacts: new ContactCache(counted.store, { backend: crypto.backend }),
      backend: crypto.backend,
      now: () => Date.now() / 1000,
    };
    return { sqlite, deps, writes: counted.writes, verifications: crypto.verifications };
  }

  it('stores a first meta and visa after verifying the visa', async () => {
    const { sqlite, deps, writes, verifications } = setup();
    const user = createIdentity({ kind: 'eth', backend: nodeBackend });
    expect(await learnAttachments(withAttachments(user), user.id, deps)).toEqual({ ok: true });
    expect(verifications()).toBeGreaterThanOrEqual(1);
    expect(writes()).toBe(2);
    expect((await sqlite.documents.get(user.id.text))?.document).toEqual(documentToDict(user.visa!));
  });

  it('accepts the same visa again without verifying or writing anything', async () => {
    const { deps, writes, verifications } = setup();
    const user = createIdentity({ kind: 'eth', backend: nodeBackend });
    await learnAttachments(withAttachments(user), user.id, deps);
    await deps.contacts.get(user.id.text);
    const [v, w] = [verifications(), writes()];
    for (let i = 0; i < 3; i++) {
      expect(await learnAttachments(withAttachments(user), user.id, deps)).toEqual({ ok: true });
    }
    expect(verifications()).toBe(v);
    expect(writes()).toBe(w);
  });

  it('refuses the stored visa text under a different signature', async () => {
    const { sqlite, deps } = setup();
    const user = createIdentity({ kind: 'eth', backend: nodeBackend });
    await learnAttachments(withAttachments(user), user.id, deps);
    const dict = documentToDict(user.visa!);
    const signature = decodeBase64(dict['signature'] as string);
    signature[signature.length - 1]! ^= 1;
    const forged = { ...dict, signature: encodeBase64(signature) };
    expect(await learnAttachments(withAttachments(user, forged), user.id, deps)).toEqual({
      ok: false,
      reason: 'document.signature',
    });
    expect((await sqlite.documents.get(user.id.text))?.document).toEqual(dict);
  });

  it('verifies and stores a newer visa', async () => {
    const { sqlite, deps, writes, verifications } = setup();
    const user = createIdentity({ kind: 'eth', backend: nodeBackend });
    await learnAttachments(withAttachments(user), user.id, deps);
    await deps.contacts.get(user.id.text);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const renamed = updateVisa(user, { name: 'renamed' });
    const [v, w] = [verifications(), writes()];
    expect(await learnAttachments(withAttachments(renamed), user.id, deps)).toEqual({ ok: true });
    expect(verifications()).toBe(v + 1);
    expect(writes()).toBe(w + 1);
    expect((await sqlite.documents.get(user.id.text))?.document).toEqual(documentToDict(renamed.visa!));
    expect((await deps.contacts.get(user.id.text))?.document?.properties['name']).toBe('renamed');
  });
});
