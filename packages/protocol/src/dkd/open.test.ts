import { describe, expect, it } from 'vitest';
import { readVector } from '../../../../test/fixtures/vectors.js';
import { identityEncryptionKey, parseIdentity, type Identity } from '../account/index.js';
import type { VerifyKey } from '../crypto/index.js';
import { encodeBase64 } from '../encoding/index.js';
import { verificationKeysFor } from '../mkm/index.js';
import { openMessage, sealMessage, verifyMessage, type InstantMessage, type ReliableMessage } from './index.js';

const [alice, bob] = ['alice', 'bob'].map((name) => parseIdentity(readVector(`users/${name}.json`))) as [
  Identity,
  Identity,
];

function sealed(sender: Identity, receiver: Identity): ReliableMessage {
  const instant = {
    sender: sender.id.text,
    receiver: receiver.id.text,
    time: 1795539070.5,
    content: { type: 1, sn: 7, time: 1795539070.5, text: 'key order' },
  } as InstantMessage;
  return sealMessage(instant, { signer: sender.privateKey, receiverKey: identityEncryptionKey(receiver) });
}

/** `key` with a verify that records its algorithm in `calls`. */
function spied(key: VerifyKey, calls: string[]): VerifyKey {
  return {
    ...key,
    verify: (data, signature) => {
      calls.push(key.algorithm);
      return key.verify(data, signature);
    },
  };
}

function spiedAll(keys: readonly VerifyKey[], calls: string[]): VerifyKey[] {
  return keys.map((k) => spied(k, calls));
}

describe('verifyMessage: which key is tried first', () => {
  it('an ECDSA signature meets the ECC meta key first, not the RSA visa key listed before it', () => {
    // bob is made as reference users are: ECC meta key that signs, RSA visa key (§3.6)
    const keys = verificationKeysFor(bob.meta, bob.visa);
    expect(keys.map((k) => k.algorithm)).toEqual(['RSA', 'ECC']);
    const calls: string[] = [];
    expect(verifyMessage(sealed(bob, alice), spiedAll(keys, calls))).toBe(true);
    expect(calls).toEqual(['ECC']);
  });

  it('an RSA signature meets the RSA key first, whatever the order of the list', () => {
    const rsa = verificationKeysFor(alice.meta, alice.visa);
    const ecc = verificationKeysFor(bob.meta, bob.visa).filter((k) => k.algorithm === 'ECC');
    const calls: string[] = [];
    expect(verifyMessage(sealed(alice, bob), spiedAll([...ecc, ...rsa], calls))).toBe(true);
    expect(calls[0]).toBe('RSA');
  });

  it('every key is still tried, once, when none fits the signature', () => {
    const keys = [...verificationKeysFor(bob.meta, bob.visa), ...verificationKeysFor(alice.meta, alice.visa)];
    const message = sealed(bob, alice);
    const forged = { ...message, signature: encodeBase64(new Uint8Array(70).fill(0x30)) };
    const calls: string[] = [];
    expect(verifyMessage(forged, spiedAll(keys, calls))).toBe(false);
    expect(calls.sort()).toEqual(['ECC', 'RSA', 'RSA']);
    // the right key verifies wherever it stands in the list
    for (const order of [keys, [...keys].reverse()]) expect(verifyMessage(message, order)).toBe(true);
  });
});

describe('openMessage: the envelope', () => {
  it('keeps the other fields in their order, a `__proto__` field as a plain field', () => {
    const message = sealed(alice, bob);
    const withProto = JSON.parse(
      JSON.stringify({ ...message, traces: ['s1'] }).replace(/^\{/, '{"__proto__":{"polluted":true},'),
    ) as ReliableMessage;
    const instant = openMessage(withProto, {
      me: bob.id.text,
      decryptKeys: bob.decryptKeys,
      verifyKeys: verificationKeysFor(alice.meta, alice.visa),
    });
    const fields = Object.keys(withProto).filter((k) => !['data', 'key', 'keys', 'signature', 'IV'].includes(k));
    expect(Object.keys(instant)).toEqual([...fields, 'content']);
    expect(Object.getPrototypeOf(instant)).toBe(Object.prototype);
    expect((instant as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(instant, '__proto__')?.value).toEqual({ polluted: true });
    expect(instant.content['text']).toBe('key order');
  });
});
