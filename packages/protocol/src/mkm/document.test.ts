// eslint-disable-next-line no-restricted-imports -- tests run on Node and read the shared vector files
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePrivateKey } from '../crypto/index.js';
import { decodeBase64, encodeBase64 } from '../encoding/base64.js';
import type { JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { bulletinAdministrators, bulletinAssistants, bulletinFounder } from './bulletin.js';
import {
  type Document,
  documentCreatedTime,
  documentName,
  documentTime,
  documentToDict,
  newerDocument,
  parseDocument,
  signDocument,
  verifyDocument,
} from './document.js';
import { encryptionKeyFor, verificationKeysFor } from './entity-keys.js';
import { parseId } from './id.js';
import { parseMeta } from './meta.js';
import { visaKey } from './visa.js';

const vectors = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../../test/fixtures/vectors/${path}`, import.meta.url), 'utf8'));

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

interface DocumentCheck {
  name: string;
  doc: JsonObject;
  meta: JsonObject;
  expected: {
    parsed: boolean;
    did: string;
    type: string;
    signatureValid: boolean;
    properties: JsonObject;
    visaKey?: JsonObject;
    metaMatchesId: boolean;
  };
}
interface UserVector {
  id: string;
  meta: JsonObject;
  visa: JsonObject;
  privateKey: JsonObject;
  visaPrivateKey?: JsonObject;
}

const checks = vectors('checks/documents.json') as DocumentCheck[];
const userNames = ['alice', 'bob', 'carol', 'dave', 'erin', 'gate', 'robot'];
const users = Object.fromEntries(userNames.map((n) => [n, vectors(`users/${n}.json`) as UserVector]));
const group = vectors('groups/group1.json') as { id: string; meta: JsonObject; bulletin: JsonObject; founder: string };
const moki = vectors('legacy-2018/moki.json') as { id: string; meta: JsonObject; privateKey: JsonObject };
const alice = users['alice']!;
const bob = users['bob']!;

/** Changes one character in the middle of a string (keeps it valid JSON when it hits a letter). */
const tamper = (text: string): string => {
  const i = text.indexOf('name') + 8;
  return text.slice(0, i) + (text[i] === 'X' ? 'Y' : 'X') + text.slice(i + 1);
};

describe('checks/documents.json', () => {
  for (const { name, doc, meta, expected } of checks) {
    it(`${name}: parses, and the signature ${expected.signatureValid ? 'verifies' : 'is rejected'}`, () => {
      const parsed = parseDocument(doc);
      expect(parsed.did.text).toBe(expected.did);
      expect(parsed.type).toBe(expected.type);
      expect(parsed.properties).toEqual(expected.properties);
      expect(parsed.data).toBe(doc['data']);
      const m = parseMeta(meta);
      expect(verifyDocument(parsed, m)).toBe(expected.signatureValid);
      if (expected.visaKey !== undefined) expect(visaKey(parsed)?.dict).toEqual(expected.visaKey);
    });
  }
});

describe('users/*.json visas and the group bulletin', () => {
  for (const name of userNames) {
    it(`${name}: the visa verifies with the meta and carries the encryption key of the private keys`, () => {
      const user = users[name]!;
      const visa = parseDocument(user.visa);
      expect(visa.type).toBe('visa');
      expect(visa.did.text).toBe(user.id);
      expect(verifyDocument(visa, parseMeta(user.meta))).toBe(true);
      const decryptKey = parsePrivateKey(user.visaPrivateKey ?? user.privateKey);
      expect(visaKey(visa)!.keyData).toEqual(decryptKey.publicKey.keyData);
    });
  }

  it('group1: the bulletin verifies with the group meta and names alice as founder', () => {
    const bulletin = parseDocument(group.bulletin);
    expect(bulletin.type).toBe('bulletin');
    expect(verifyDocument(bulletin, parseMeta(group.meta))).toBe(true);
    expect(bulletinFounder(bulletin)?.text).toBe(group.founder);
    expect(documentName(bulletin)).toBe('Oracle Test Group');
    // A bulletin is verified with the group meta only, not with the founder's own meta.
    expect(verifyDocument(bulletin, parseMeta(alice.meta))).toBe(false);
  });

  it("moki's visa of wire spec §10.3 verifies over its exact data text (Python float formatting kept)", () => {
    const data = String.raw`{"type":"visa","created_time":1545405000.0,"name":"Monkey King","key":{"algorithm":"RSA","data":"-----BEGIN RSA PUBLIC KEY-----\r\nMIGJAoGBALQOcgxhhV0XiHELKYdG587Tup261qQ3ahAGPuifZvxHXTq+GgulEyXiovwrVjpz7rKXn+16HgspLHpp5agv0WsSn6k2MnQGk5RFXuilbFr/C1rEX2X7uXlUXDMpsriKFndoB1lz9P3E8FkM5ycG84hejcHB+R5yzDa4KbGeOc0tAgMBAAE=\r\n-----END RSA PUBLIC KEY-----","mode":"ECB","padding":"PKCS1","digest":"SHA256"},"time":1545405083.25}`;
    const signature =
      'DIGVI8t74/jBdpbeA81TdjaWomuHCQzqApra7xAnk67a5LODjWahzJLnfS+zH60igMVwKZCkleXQqwCn0ZfYk2tRsbBKbMo8GLv/N5V7YoFiPYYv0fV5h39tVb2wrB0MwUbBmRE1Q+gqf1sUy/cGWqVvK62W1gS/UbNlqDEnl1c=';
    // Legacy owner field `ID` only, and no top-level type: inferred as a visa for a user.
    const visa = parseDocument({ ID: moki.id, data, signature });
    expect(visa.type).toBe('visa');
    expect(verifyDocument(visa, parseMeta(moki.meta))).toBe(true);
    expect(documentTime(visa)).toBe(1545405083.25);
    expect(documentCreatedTime(visa)).toBe(1545405000);
    expect(visaKey(visa)?.algorithm).toBe('RSA');
    expect(
      verifyDocument(
        parseDocument({ ID: moki.id, data: data.replace('1545405083.25', '1545405083.250'), signature }),
        parseMeta(moki.meta),
      ),
    ).toBe(false);
  });
});

describe('verifyDocument rejects tampering', () => {
  const doc = parseDocument(alice.visa);
  const meta = parseMeta(alice.meta);

  it('returns false when one character of data changes', () => {
    expect(verifyDocument(parseDocument({ ...alice.visa, data: tamper(doc.data) }), meta)).toBe(false);
  });

  it('returns false when one bit of the signature changes, or the signature is truncated', () => {
    const sig = decodeBase64(alice.visa['signature'] as string);
    sig[17] = sig[17]! ^ 0x01;
    expect(verifyDocument(parseDocument({ ...alice.visa, signature: encodeBase64(sig) }), meta)).toBe(false);
    expect(verifyDocument(parseDocument({ ...alice.visa, signature: encodeBase64(sig.subarray(0, 64)) }), meta)).toBe(
      false,
    );
  });

  it('returns false for a document re-addressed to another ID (the meta no longer matches)', () => {
    const moved = parseDocument({ ...alice.visa, did: users['dave']!.id });
    expect(verifyDocument(moved, meta)).toBe(false);
    expect(verifyDocument(moved, parseMeta(users['dave']!.meta))).toBe(false);
  });

  it('returns false for a visa signed by the visa key instead of the meta key', () => {
    const visaSigner = parsePrivateKey(bob.visaPrivateKey!);
    const forged = signDocument({ did: bob.id, properties: { name: 'Bob' } }, visaSigner);
    expect(verifyDocument(forged, parseMeta(bob.meta))).toBe(false);
  });

  it('verifies a document for an ID with a terminal against the owner meta', () => {
    const withTerminal = parseDocument({ ...alice.visa, did: `${alice.id}/phone` });
    expect(verifyDocument(withTerminal, meta)).toBe(true);
  });
});

describe('parseDocument', () => {
  it('keeps data byte-exact, spaces and escaped slashes included, and verifies it as sent', () => {
    const key = parsePrivateKey(alice.privateKey);
    const data = '{ "type": "visa", "name": "A\\/lice \\u00e9", "time": 1545405000.0 }';
    const signature = encodeBase64(key.sign(new TextEncoder().encode(data)));
    const doc = parseDocument({ type: 'visa', did: alice.id, data, signature });
    expect(doc.data).toBe(data);
    expect(documentName(doc)).toBe('A/lice é');
    expect(verifyDocument(doc, parseMeta(alice.meta))).toBe(true);
    expect(documentToDict(doc)['data']).toBe(data);
  });

  it('infers the type from the owner when it is absent: visa for users, bulletin for groups', () => {
    const { type: _v, ...visa } = alice.visa;
    expect(parseDocument(visa).type).toBe('visa');
    const { type: _b, ...bulletin } = group.bulletin;
    expect(parseDocument(bulletin).type).toBe('bulletin');
  });

  it('reads the legacy ID field and rejects did and ID that disagree', () => {
    const { did, ...rest } = alice.visa;
    expect(parseDocument({ ...rest, ID: did! }).did.text).toBe(alice.id);
    expect(parseDocument({ ...alice.visa, ID: did! }).did.text).toBe(alice.id);
    expect(codeOf(() => parseDocument({ ...alice.visa, ID: bob.id }))).toBe('document.invalid');
  });

  it('rejects malformed documents with document.invalid', () => {
    const v = alice.visa;
    const bad: unknown[] = [
      null,
      [v],
      'visa',
      { ...v, did: undefined },
      { ...v, did: 'alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEa' },
      { ...v, data: undefined },
      { ...v, data: { name: 'Alice' } },
      { ...v, data: 'not json' },
      { ...v, data: '[1,2]' },
      { ...v, data: 'x'.repeat(300_000) },
      { ...v, signature: undefined },
      { ...v, signature: '' },
      { ...v, signature: '%%%%' },
      { ...v, type: 7 },
      { ...v, data: '{"time":"soon"}' },
      { ...v, data: '{"created_time":true}' },
    ];
    for (const input of bad) expect(codeOf(() => parseDocument(input))).toBe('document.invalid');
  });

  it('keeps the bad ID error as the cause when the owner does not parse', () => {
    try {
      parseDocument({ ...alice.visa, did: 'alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEa' });
    } catch (err) {
      expect(((err as DimError).cause as DimError).code).toBe('address.checksum');
    }
    expect.assertions(1);
  });

  it('accepts numeric-string times', () => {
    const doc = parseDocument({ ...alice.visa, data: '{"time":"1545405083.5"}' });
    expect(documentTime(doc)).toBe(1545405083.5);
  });
});

describe('signDocument', () => {
  it('writes type, did and ID, and compact data with type, created_time, the properties and time', () => {
    const key = parsePrivateKey(alice.privateKey);
    const doc = signDocument(
      { did: alice.id, properties: { name: 'Alice', app_id: 'chat.dim.test' } },
      key,
      1700000000.5,
    );
    expect(Object.keys(doc.dict)).toEqual(['type', 'did', 'ID', 'data', 'signature']);
    expect([doc.dict['did'], doc.dict['ID'], doc.type]).toEqual([alice.id, alice.id, 'visa']);
    expect(doc.data).toBe(
      '{"type":"visa","created_time":1700000000.5,"name":"Alice","app_id":"chat.dim.test","time":1700000000.5}',
    );
    expect(verifyDocument(doc, parseMeta(alice.meta))).toBe(true);
  });

  it('keeps created_time when re-signing and sets time to now', () => {
    const key = parsePrivateKey(alice.privateKey);
    const first = signDocument({ did: parseId(alice.id), properties: { name: 'A' } }, key, 100);
    const second = signDocument({ did: first.did, properties: { ...first.properties, name: 'B' } }, key, 200);
    expect([documentCreatedTime(second), documentTime(second), documentName(second)]).toEqual([100, 200, 'B']);
    expect(newerDocument(first, second)).toBe(second);
    expect(newerDocument(second, first)).toBe(second);
    expect(newerDocument(undefined, first)).toBe(first);
    expect(() => newerDocument(first, parseDocument(bob.visa))).toThrow(RangeError);
  });

  it('signs ECC-keyed owners with ECDSA that verifies with the meta', () => {
    const doc = signDocument(
      { did: bob.id, properties: { name: 'Bob', key: parsePrivateKey(bob.visaPrivateKey!).publicKey.dict } },
      parsePrivateKey(bob.privateKey),
    );
    expect(verifyDocument(doc, parseMeta(bob.meta))).toBe(true);
    expect(visaKey(doc)?.algorithm).toBe('RSA');
  });

  it('documentToDict writes both did and ID for a document that came with did only', () => {
    const out = documentToDict(parseDocument(alice.visa));
    expect([out['did'], out['ID'], out['type']]).toEqual([alice.id, alice.id, 'visa']);
    expect(out['signature']).toBe(alice.visa['signature']);
  });
});

describe('bulletin properties', () => {
  const key = parsePrivateKey(alice.privateKey);
  const sign = (properties: JsonObject): Document => signDocument({ did: group.id, properties }, key, 1);

  it('reads assistants and administrators, and the legacy single assistant', () => {
    const doc = sign({ assistants: [users['robot']!.id], administrators: [bob.id, users['carol']!.id] });
    expect(doc.type).toBe('bulletin');
    expect(bulletinAssistants(doc).map((i) => i.text)).toEqual([users['robot']!.id]);
    expect(bulletinAdministrators(doc).map((i) => i.text)).toEqual([bob.id, users['carol']!.id]);
    expect(bulletinAssistants(sign({ assistant: users['robot']!.id })).map((i) => i.text)).toEqual([
      users['robot']!.id,
    ]);
    expect(bulletinAssistants(sign({}))).toEqual([]);
    expect(bulletinFounder(sign({}))).toBeUndefined();
  });

  it('rejects entries that are not IDs with document.invalid', () => {
    expect(codeOf(() => bulletinFounder(sign({ founder: 'nobody' })))).toBe('document.invalid');
    expect(codeOf(() => bulletinAdministrators(sign({ administrators: bob.id })))).toBe('document.invalid');
    expect(codeOf(() => bulletinAssistants(sign({ assistants: [1] })))).toBe('document.invalid');
  });
});

describe('key selection for messages (wire spec §3.6)', () => {
  const bobMeta = parseMeta(bob.meta);
  const bobVisa = parseDocument(bob.visa);
  const aliceMeta = parseMeta(alice.meta);

  it('encrypts to the visa key when there is one', () => {
    const key = encryptionKeyFor(bobMeta, bobVisa);
    expect(key.keyData).toEqual(parsePrivateKey(bob.visaPrivateKey!).publicKey.keyData);
    const secret = new TextEncoder().encode('{"algorithm":"AES"}');
    expect(parsePrivateKey(bob.visaPrivateKey!).decrypt!(key.encrypt(secret))).toEqual(secret);
  });

  it('falls back to an RSA meta key, and fails with visa.missing for an ECC meta without a visa', () => {
    expect(encryptionKeyFor(aliceMeta).keyData).toEqual(aliceMeta.key.keyData);
    expect(codeOf(() => encryptionKeyFor(bobMeta))).toBe('visa.missing');
  });

  it('rejects a visa whose key does not parse with document.invalid', () => {
    const broken = signDocument(
      { did: bob.id, properties: { key: { algorithm: 'RSA', data: 'x' } } },
      parsePrivateKey(bob.privateKey),
    );
    expect(codeOf(() => encryptionKeyFor(bobMeta, broken))).toBe('document.invalid');
    expect(verificationKeysFor(bobMeta, broken)).toEqual([bobMeta.key]);
  });

  it('verifies with the visa key first, then the meta key, without repeating a shared key', () => {
    const keys = verificationKeysFor(bobMeta, bobVisa);
    expect(keys.map((k) => k.algorithm)).toEqual(['RSA', 'ECC']);
    expect(keys[1]).toBe(bobMeta.key);
    expect(verificationKeysFor(aliceMeta, parseDocument(alice.visa))).toEqual([aliceMeta.key]);
    expect(verificationKeysFor(bobMeta)).toEqual([bobMeta.key]);
  });
});
