import { describe, expect, it } from 'vitest';
import { readVector } from '../../../../test/fixtures/vectors.js';
import { createGroup, identityEncryptionKey, parseIdentity, type Identity } from '../account/index.js';
import { EVERYONE } from '../mkm/index.js';
import { sealMessage, splitGroupMessage, type InstantMessage } from './index.js';

const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((name) =>
  parseIdentity(readVector(`users/${name}.json`)),
) as [Identity, Identity, Identity];

/** An instant message as JSON text makes it: `__proto__` an own field, before the others. */
function instant(receiver: string, extra: Record<string, unknown> = {}): InstantMessage {
  const fields = {
    sender: alice.id.text,
    receiver,
    time: 1795539070.5,
    traces: ['s1'],
    ...extra,
    content: { type: 1, sn: 9, time: 1795539070.5, text: 'fields' },
  };
  return JSON.parse(JSON.stringify(fields).replace(/^\{/, '{"__proto__":{"polluted":true},')) as InstantMessage;
}

function expectPlainProto(message: object): void {
  expect(Object.getPrototypeOf(message)).toBe(Object.prototype);
  expect((message as Record<string, unknown>)['polluted']).toBeUndefined();
  expect(Object.getOwnPropertyDescriptor(message, '__proto__')?.value).toEqual({ polluted: true });
}

describe('sealMessage: the fields of the sealed message', () => {
  it('keeps the envelope fields in order, then IV, data, key, keys, type, signature', () => {
    const sealed = sealMessage(instant(bob.id.text), {
      signer: alice.privateKey,
      receiverKey: identityEncryptionKey(bob),
    });
    expect(Object.keys(sealed)).toEqual([
      '__proto__',
      'sender',
      'receiver',
      'time',
      'traces',
      'IV',
      'data',
      'key',
      'keys',
      'type',
      'signature',
    ]);
    expectPlainProto(sealed);
  });

  it('keeps them in a broadcast, with the content text as data', () => {
    const sealed = sealMessage(instant(EVERYONE.text), { signer: alice.privateKey });
    expect(Object.keys(sealed)).toEqual([
      '__proto__',
      'sender',
      'receiver',
      'time',
      'traces',
      'data',
      'type',
      'signature',
    ]);
    expectPlainProto(sealed);
  });

  it('splits a group message into member copies with receiver in place and key last', () => {
    const group = createGroup(alice, { name: 'split', members: [bob.id, carol.id] });
    const memberKeys = new Map([
      [bob.id.text, identityEncryptionKey(bob)],
      [carol.id.text, identityEncryptionKey(carol)],
    ]);
    const sealed = sealMessage(instant(group.id.text), { signer: alice.privateKey, memberKeys });
    expect(Object.keys(sealed)).not.toContain('key');
    const split = splitGroupMessage(sealed, carol.id.text);
    expect(Object.keys(split)).toEqual([
      '__proto__',
      'sender',
      'receiver',
      'time',
      'traces',
      'IV',
      'data',
      'type',
      'signature',
      'group',
      'key',
    ]);
    expect(split.receiver).toBe(carol.id.text);
    expect(split.group).toBe(group.id.text);
    expect(split.key).toBe(sealed.keys![carol.id.text]);
    expectPlainProto(split);
  });
});
