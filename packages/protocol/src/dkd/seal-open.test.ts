import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readVector } from '../../../../test/fixtures/vectors.js';
import type { PrivateKey } from '../crypto/index.js';
import { createGroup, parseIdentity, identityEncryptionKey, type Identity } from '../account/index.js';
import { decodeBase64, encodeBase64 } from '../encoding/index.js';
import { DimError } from '../errors.js';
import { parseMeta, verificationKeysFor, ANYONE, EVERYONE } from '../mkm/index.js';
import type { JsonObject } from '../encoding/json.js';
import {
  CipherKeyCache,
  IV_GUARD,
  openMessage,
  parseReliableMessage,
  sealMessage,
  serializeMessage,
  splitGroupMessage,
  type InstantMessage,
  type ReliableMessage,
} from './index.js';

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'robot', 'gate'].map((name) =>
  parseIdentity(readVector(`users/${name}.json`)),
);
const [alice, bob, carol, dave] = USERS as [Identity, Identity, Identity, Identity];

function text(sender: Identity, receiver: string, body: string, extra: JsonObject = {}): InstantMessage {
  return {
    sender: sender.id.text,
    receiver,
    time: 1795539070.5,
    content: { type: 1, sn: 4242, time: 1795539070.5, text: body, ...extra },
  } as InstantMessage;
}

function openAs(reader: Identity, sender: Identity, message: ReliableMessage, keyCache?: CipherKeyCache) {
  return openMessage(parseReliableMessage(serializeMessage(message)), {
    me: reader.id.text,
    decryptKeys: reader.decryptKeys,
    verifyKeys: verificationKeysFor(sender.meta, sender.visa),
    keyCache,
  });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof DimError) return error.code;
    throw error;
  }
  return 'opened';
}

describe('seal and open', () => {
  it('every vector identity seals to every other, and the message opens with the same content', () => {
    for (const sender of USERS) {
      for (const receiver of USERS) {
        if (sender === receiver) continue;
        const sealed = sealMessage(text(sender, receiver.id.text, `from ${sender.id.text}`), {
          signer: sender.privateKey,
          receiverKey: identityEncryptionKey(receiver),
        });
        expect(sealed.key).toBe(sealed.keys?.[receiver.id.text]);
        expect(openAs(receiver, sender, sealed).content['text']).toBe(`from ${sender.id.text}`);
      }
    }
  });

  it('writes an integer type on the content and the envelope, and an IV', () => {
    const sealed = sealMessage(text(alice, bob.id.text, 'hi'), {
      signer: alice.privateKey,
      receiverKey: identityEncryptionKey(bob),
    });
    expect(sealed.type).toBe(1);
    expect(decodeBase64(sealed.IV!)).toHaveLength(16);
  });

  it('reuses the direction key and still writes `key` on every message', () => {
    const cache = new CipherKeyCache();
    const options = { signer: alice.privateKey, receiverKey: identityEncryptionKey(bob), keyCache: cache };
    const first = sealMessage(text(alice, bob.id.text, 'one'), options);
    const second = sealMessage(text(alice, bob.id.text, 'two'), options);
    expect(second.key).toBe(first.key);
    const readerCache = new CipherKeyCache();
    expect(openAs(bob, alice, first, readerCache).content['text']).toBe('one');
    const { key: _k, keys: _ks, ...withoutKey } = second;
    expect(openAs(bob, alice, withoutKey as ReliableMessage, readerCache).content['text']).toBe('two');
    expect(codeOf(() => openAs(bob, alice, withoutKey as ReliableMessage, new CipherKeyCache()))).toBe('key.missing');
  });

  it('seals once for a group with a keys map; each member opens it whole or split', () => {
    const group = createGroup(alice, { name: 'test', members: [bob.id, carol.id, dave.id] });
    const memberKeys = new Map(
      group.members.map((m) => [m.text, identityEncryptionKey(USERS.find((u) => u.id.text === m.text)!)]),
    );
    const sealed = sealMessage(text(alice, group.id.text, 'hello group', { group: group.id.text }), {
      signer: alice.privateKey,
      memberKeys,
    });
    expect(Object.keys(sealed.keys!)).toHaveLength(4);
    for (const member of [bob, carol, dave]) {
      expect(openAs(member, alice, sealed).content['text']).toBe('hello group');
      const split = splitGroupMessage(sealed, member.id.text);
      expect(split.receiver).toBe(member.id.text);
      expect(split.group).toBe(group.id.text);
      expect(openAs(member, alice, split).content['group']).toBe(group.id.text);
    }
    const erin = USERS[4]!;
    expect(codeOf(() => openAs(erin, alice, sealed))).toBe('message.receiver');
  });

  it('broadcasts plain JSON text, signed, with no key', () => {
    for (const receiver of [EVERYONE.text, ANYONE.text]) {
      const sealed = sealMessage(text(bob, receiver, 'to all'), { signer: bob.privateKey });
      expect(sealed.key).toBeUndefined();
      expect(sealed.keys).toBeUndefined();
      expect(JSON.parse(sealed.data)['text']).toBe('to all');
      expect(openAs(carol, bob, sealed).content['text']).toBe('to all');
    }
  });

  it('opens the 2018 spec sample with the hulk and moki keys (zero IV, wire spec §10.1)', () => {
    const sample = readVector<{ wire: string }>('legacy-2018/message-spec-sample.json');
    const hulk = readVector('legacy-2018/hulk.json');
    const moki = readVector('legacy-2018/moki.json');
    const hulkIdentity = parseIdentity(hulk);
    const instant = openMessage(parseReliableMessage(sample.wire), {
      me: hulkIdentity.id.text,
      decryptKeys: hulkIdentity.decryptKeys,
      verifyKeys: verificationKeysFor(parseMeta(moki['meta'])),
    });
    expect(instant.content['text']).toBe('Hey guy!');
    expect(instant.content['sn']).toBe(412968873);
  });

  it('starts the encrypted plaintext with the IV guard', () => {
    const sealed = sealMessage(text(alice, bob.id.text, 'guarded'), {
      signer: alice.privateKey,
      receiverKey: identityEncryptionKey(bob),
    });
    const key = bob.decryptKeys[0]!.decrypt!(decodeBase64(sealed.key!));
    expect(new TextDecoder().decode(key)).toMatch(/^\{"algorithm":"AES","data":"[^"]+"\}$/);
    expect(IV_GUARD).toBe('                ');
  });
});

describe('tampering', () => {
  const sealed = sealMessage(text(bob, alice.id.text, 'tamper with me'), {
    signer: bob.privateKey,
    receiverKey: identityEncryptionKey(alice),
  });

  function flip(b64: string, index: number, mask: number): string {
    const bytes = decodeBase64(b64);
    bytes[index % bytes.length]! ^= mask;
    return encodeBase64(bytes);
  }

  for (const field of ['data', 'signature', 'key', 'IV'] as const) {
    it(`changing any byte of \`${field}\` gives a typed error, never another content`, () => {
      fc.assert(
        fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (index, mask) => {
          const changed = { ...sealed, [field]: flip(sealed[field] as string, index, mask) } as ReliableMessage;
          if (field === 'key') (changed as { keys?: unknown }).keys = { [alice.id.text]: changed.key };
          expect(codeOf(() => openAs(alice, bob, changed))).not.toBe('opened');
        }),
        { numRuns: 60 },
      );
    });
  }

  it('changing `keys` for the reader gives a typed error', () => {
    const { key: _key, ...rest } = sealed;
    const changed = { ...rest, keys: { [alice.id.text]: flip(sealed.key!, 5, 0x40) } } as ReliableMessage;
    expect(codeOf(() => openAs(alice, bob, changed))).not.toBe('opened');
  });

  it('seal then open returns the content for random contents and every key kind', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.constantFrom(...USERS),
        fc.constantFrom(...USERS),
        (body, sender, receiver) => {
          if (sender === receiver) return;
          const message = sealMessage(text(sender, receiver.id.text, body), {
            signer: sender.privateKey,
            receiverKey: identityEncryptionKey(receiver),
          });
          expect(openAs(receiver, sender, message).content['text']).toBe(body);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('opening work', () => {
  /** A reader key that counts how often it decrypts. */
  function counting(key: PrivateKey): { key: PrivateKey; calls: () => number } {
    let calls = 0;
    const decrypt = key.decrypt!;
    return {
      key: {
        ...key,
        decrypt: (ciphertext: Uint8Array) => {
          calls += 1;
          return decrypt(ciphertext);
        },
      },
      calls: () => calls,
    };
  }

  it('unwraps a reused key once: later messages of the direction find it by its `key` text', () => {
    const sealerCache = new CipherKeyCache();
    const options = { signer: alice.privateKey, receiverKey: identityEncryptionKey(bob), keyCache: sealerCache };
    const messages = ['one', 'two', 'three'].map((body) => sealMessage(text(alice, bob.id.text, body), options));
    const reader = counting(bob.decryptKeys[0]!);
    const keyCache = new CipherKeyCache();
    const opened = messages.map(
      (m) =>
        openMessage(m, {
          me: bob.id.text,
          decryptKeys: [reader.key],
          verifyKeys: verificationKeysFor(alice.meta, alice.visa),
          keyCache,
        }).content['text'],
    );
    expect(opened).toEqual(['one', 'two', 'three']);
    expect(reader.calls()).toBe(1);
  });

  it('reads non-canonical Base64 in `data`, `signature`, `IV` and `key` as before', () => {
    const sealed = sealMessage(text(alice, bob.id.text, 'lenient'), {
      signer: alice.privateKey,
      receiverKey: identityEncryptionKey(bob),
    });
    const broken = (b64: string) => `${b64.slice(0, 20)}\r\n${b64.slice(20)}`;
    const variants: ReliableMessage[] = [
      { ...sealed, data: broken(sealed.data), signature: broken(sealed.signature) },
      { ...sealed, data: `base64,${sealed.data}` },
      { ...sealed, IV: sealed.IV!.replace(/=+$/, ''), key: sealed.key!.replace(/=+$/, '') + ' ' },
    ];
    for (const variant of variants) expect(openAs(bob, alice, variant).content['text']).toBe('lenient');
    expect(codeOf(() => openAs(bob, alice, { ...sealed, IV: `${sealed.IV!.slice(0, -2)}-=` }))).toBe('encoding.base64');
  });

  it('returns an instant message without the sealed fields, other fields kept', () => {
    const sealed = sealMessage(text(alice, bob.id.text, 'fields', {}), {
      signer: alice.privateKey,
      receiverKey: identityEncryptionKey(bob),
    });
    const instant = openAs(bob, alice, { ...sealed, traces: ['s1'] } as ReliableMessage);
    for (const field of ['data', 'key', 'keys', 'signature', 'IV']) expect(instant).not.toHaveProperty(field);
    expect(instant['traces']).toEqual(['s1']);
    expect(instant.sender).toBe(alice.id.text);
  });
});
