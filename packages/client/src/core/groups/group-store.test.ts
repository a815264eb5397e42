import { DimError } from '@dimkit/protocol';
import { createGroup, createIdentity } from '@dimkit/protocol/account';
import { describe, expect, it } from 'vitest';
import { MemoryClientStore } from '../memory-store.js';
import { groupRecordToJson, parseGroupRecord, type GroupRecord } from './group-record.js';
import { SettingsGroupStore } from './group-store.js';

const alice = createIdentity({ name: 'alice' });
const G1 = createGroup(alice, { name: 'g' }).id.text;
const A = alice.id.text;
const B = createIdentity({ kind: 'mkm', name: 'bob' }).id.text;

const record: GroupRecord = {
  id: G1,
  members: [A, B],
  resetTime: 12.5,
  resetMessage: { sender: A, receiver: 'anyone@anywhere', data: '{}', signature: 'x' },
  requests: [],
  updatedAt: 1,
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DimError) return error.code;
    throw error;
  }
  return undefined;
}

describe('group records', () => {
  it('round-trip through JSON', () => {
    expect(parseGroupRecord(JSON.parse(JSON.stringify(groupRecordToJson(record))))).toEqual(record);
  });

  it('refuse what is not a group record', () => {
    expect(codeOf(() => parseGroupRecord([]))).toBe('store.failure');
    expect(codeOf(() => parseGroupRecord({ ...record, id: A }))).toBe('store.failure');
    expect(codeOf(() => parseGroupRecord({ ...record, members: 'x' }))).toBe('store.failure');
    expect(codeOf(() => parseGroupRecord({ ...record, members: ['not an id'] }))).toBe('address.syntax');
    expect(codeOf(() => parseGroupRecord({ ...record, resetTime: -1 }))).toBe('store.failure');
  });
});

describe('SettingsGroupStore', () => {
  it('keeps one record per group in the client store, and lists them', async () => {
    const clientStore = new MemoryClientStore();
    const store = new SettingsGroupStore(clientStore);
    expect(await store.get(G1)).toBeUndefined();
    expect(await store.list()).toEqual([]);
    await Promise.all([store.put(record), store.put({ ...record, members: [A] })]);
    expect((await store.get(G1))!.members).toEqual([A]);
    expect(await store.list()).toEqual([G1]);
    // another instance over the same client store sees it (a later run of the program)
    expect(await new SettingsGroupStore(clientStore).get(G1)).toMatchObject({ id: G1, members: [A] });
  });

  it('a record that no longer reads is unknown, not an error', async () => {
    const clientStore = new MemoryClientStore();
    await clientStore.putSetting(`group:${G1}`, '{broken');
    expect(await new SettingsGroupStore(clientStore).get(G1)).toBeUndefined();
  });
});
