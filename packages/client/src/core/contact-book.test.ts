import { nodeBackend } from '@dimkit/crypto-node';
import { createIdentity, updateVisa } from '@dimkit/protocol/account';
import { documentToDict, metaToDict, signDocument } from '@dimkit/protocol/mkm';
import { describe, expect, it } from 'vitest';
import { ContactBook, MAX_DOCUMENT_CLOCK_SKEW } from './contact-book.js';
import { MemoryClientStore } from './memory-store.js';

const backend = nodeBackend;
const alice = createIdentity({ name: 'alice', backend });
const bob = createIdentity({ name: 'bob', backend });
const meta = (who: typeof alice) => metaToDict(who.meta);
const visa = (who: typeof alice) => documentToDict(who.visa!);

describe('ContactBook', () => {
  it('accepts a meta that matches the ID with its visa, and keeps it in the store', async () => {
    const store = new MemoryClientStore();
    const book = new ContactBook(store, backend);
    const update = await book.accept(alice.id.text, meta(alice), [visa(alice)]);
    expect(update!.changed).toBe(true);
    expect(update!.contact.visa!.data).toBe(alice.visa!.data);
    const record = await store.getContact(alice.id.text);
    expect(record!.documentTime).toBeCloseTo(alice.visa!.properties['time'] as number);
    // a second book over the same store knows it
    const again = await new ContactBook(store, backend).get(alice.id.text);
    expect(again!.meta.key.keyData).toEqual(alice.meta.key.keyData);
    expect(again!.visa!.data).toBe(alice.visa!.data);
  });

  it('refuses a meta of another ID, and without a meta refuses documents', async () => {
    const book = new ContactBook(new MemoryClientStore(), backend);
    expect(await book.accept(alice.id.text, meta(bob), [visa(bob)])).toBeUndefined();
    expect(await book.accept(alice.id.text, undefined, [visa(alice)])).toBeUndefined();
    expect(await book.accept(alice.id.text, { type: 4 }, [])).toBeUndefined();
    expect(await book.accept('not an id', meta(alice), [])).toBeUndefined();
    expect(await book.get(alice.id.text)).toBeUndefined();
  });

  it('ignores a visa signed by someone else, or of another ID', async () => {
    const book = new ContactBook(new MemoryClientStore(), backend);
    const forged = signDocument({ did: alice.id, properties: { name: 'mallory' } }, bob.privateKey);
    const update = await book.accept(alice.id.text, meta(alice), [documentToDict(forged), visa(bob)]);
    expect(update!.contact.visa).toBeUndefined();
  });

  it('keeps the newest visa: a newer one replaces, an older one does not', async () => {
    const book = new ContactBook(new MemoryClientStore(), backend);
    await book.accept(alice.id.text, meta(alice), [visa(alice)]);
    const older = signDocument({ did: alice.id, properties: { name: 'old' } }, alice.privateKey, 1_000);
    expect((await book.accept(alice.id.text, undefined, [documentToDict(older)]))!.changed).toBe(false);
    const renamed = updateVisa(alice, { name: 'alice 2' });
    const newer = await book.accept(alice.id.text, undefined, [documentToDict(renamed.visa!)]);
    expect(newer!.changed).toBe(true);
    expect(newer!.contact.visa!.properties['name']).toBe('alice 2');
  });

  it('refuses a visa dated too far in the future (it would block every update)', async () => {
    const book = new ContactBook(new MemoryClientStore(), backend);
    const future = signDocument(
      { did: alice.id, properties: { name: 'future' } },
      alice.privateKey,
      Date.now() / 1000 + MAX_DOCUMENT_CLOCK_SKEW + 600,
    );
    const update = await book.accept(alice.id.text, meta(alice), [documentToDict(future)]);
    expect(update!.contact.visa).toBeUndefined();
  });

  it('never replaces a known meta', async () => {
    const store = new MemoryClientStore();
    const book = new ContactBook(store, backend);
    await book.accept(alice.id.text, meta(alice), []);
    const update = await book.accept(alice.id.text, meta(bob), []);
    expect(update!.changed).toBe(false);
    expect(update!.contact.meta.key.keyData).toEqual(alice.meta.key.keyData);
  });

  it('treats a damaged stored record as unknown (it is fetched again)', async () => {
    const store = new MemoryClientStore();
    await store.putContact({ id: alice.id.text, meta: meta(bob), updatedAt: 1 });
    expect(await new ContactBook(store, backend).get(alice.id.text)).toBeUndefined();
  });
});
