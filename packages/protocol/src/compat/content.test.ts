// eslint-disable-next-line no-restricted-imports -- tests run on Node and read the shared vector files
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDocumentsCommand } from '../content/documents-command.js';
import { parseContent } from '../content/parse-content.js';
import { decodeBase64 } from '../encoding/base64.js';
import { encodeUtf8 } from '../encoding/utf8.js';
import type { JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { contentFromWire, contentToWire } from './content.js';

const VECTORS = new URL('../../../../test/fixtures/vectors/', import.meta.url);
const load = (path: string): JsonObject => JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8')) as JsonObject;

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

/** Every content the vectors hold, with where it came from. */
function vectorContents(): [string, JsonObject][] {
  const out: [string, JsonObject][] = [];
  for (const file of readdirSync(new URL('messages/', VECTORS)).sort()) {
    const v = load(`messages/${file}`);
    out.push([`${file} instant`, (v['instant'] as JsonObject)['content'] as JsonObject]);
    (v['readers'] as JsonObject[]).forEach((r, i) => {
      const content = (r['expect'] as JsonObject)['content'];
      if (content) out.push([`${file} reader ${i}`, content as JsonObject]);
    });
  }
  (load('webclient-v1/frames.json')['frames'] as JsonObject[]).forEach((f, i) => {
    out.push([`webclient-v1 frame ${i}`, (f['expect'] as JsonObject)['content'] as JsonObject]);
  });
  return out;
}

describe('contentFromWire + parseContent on the reference vectors', () => {
  const all = vectorContents();

  it('covers every vector content (32 message files, 15 web client frames)', () => {
    expect(all.length).toBeGreaterThanOrEqual(32 * 2 + 15);
  });

  it.each(all)('%s: reads into the canonical form without losing a field', (_name, wire) => {
    const content = parseContent(contentFromWire(wire));
    expect(typeof content.type).toBe('number');
    expect(content.sn).toBe(wire['sn']);
    expect(content.time).toBe(wire['time']);
    // legacy names are gone, current ones hold their values
    for (const legacy of ['cmd', 'ID', 'document', 'password', 'envelope']) expect(content).not.toHaveProperty(legacy);
    const renamed: Record<string, string> = { cmd: 'command', ID: 'did', password: 'key', envelope: 'origin' };
    for (const [key, value] of Object.entries(wire)) {
      if (key === 'type') continue;
      if (key === 'document') {
        expect((content['documents'] as JsonObject[])[0]).toMatchObject({ data: (value as JsonObject)['data'] });
        continue;
      }
      if ((key === 'command' || key === 'cmd') && value === 'document') {
        expect(content['command']).toBe('documents');
        continue;
      }
      if (key === 'meta') {
        expect(content['meta']).toMatchObject({ key: (value as JsonObject)['key'] });
        continue;
      }
      if (key === 'origin' && wire['type'] === 'receipt') continue; // quote: origin.type becomes an integer
      if (key === 'station') {
        expect(content['station']).toMatchObject({ did: (value as JsonObject)['ID'] });
        continue;
      }
      expect(content[renamed[key] ?? key]).toEqual(value);
    }
    // and parsing the canonical form again changes nothing
    expect(parseContent(content)).toEqual(content);
  });

  it('reads string types and the JS quote type "receipt" as integers', () => {
    const text = load('messages/001-text.json');
    const quote = load('messages/008-quote.json');
    expect(parseContent((text['instant'] as JsonObject)['content']).type).toBe(1);
    const q = parseContent((quote['instant'] as JsonObject)['content']);
    expect(q.type).toBe(55);
    expect(q['origin']).toMatchObject({ type: 1, sn: 965704060 });
  });

  it('reads the v1 web client documents command into a documents array with did everywhere', () => {
    const frame = (load('webclient-v1/frames.json')['frames'] as JsonObject[])[2]!;
    const wire = (frame['expect'] as JsonObject)['content'] as JsonObject;
    const content = parseContent(wire);
    expect(Object.keys(content).sort()).toEqual(['command', 'did', 'documents', 'sn', 'time', 'type']);
    expect(content['command']).toBe('documents');
    const docs = content['documents'] as JsonObject[];
    expect(docs).toHaveLength(1);
    expect(Object.keys(docs[0]!).sort()).toEqual(['data', 'did', 'signature']);
    expect(docs[0]!['did']).toBe('0x45FDd9162982319eaB94880Cc2836C4AFC1a57a1');
  });

  it('reads the v1 web client login with did in the command and its station', () => {
    const frame = (load('webclient-v1/frames.json')['frames'] as JsonObject[])[4]!;
    const content = parseContent((frame['expect'] as JsonObject)['content']);
    expect(content).toMatchObject({
      command: 'login',
      did: '0x45FDd9162982319eaB94880Cc2836C4AFC1a57a1',
      station: { did: 'station@29uyizpHSZPaEZZkwsW2tHh784Y573LzAM', host: '127.0.0.1', port: 29395 },
    });
    expect(content).not.toHaveProperty('ID');
    expect(content['station']).not.toHaveProperty('ID');
  });

  it('keeps a receipt template replacement called ID as it is', () => {
    const frame = (load('webclient-v1/frames.json')['frames'] as JsonObject[])[12]!;
    const content = parseContent((frame['expect'] as JsonObject)['content']);
    expect(content['replacements']).toEqual({ ID: 'alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn' });
    expect(codeOf(() => contentToWire(content))).toBeUndefined();
  });
});

const MOKI = 'moki@4WDfe3zZ4T7opFSi3iDAKiuTnUHjxmXekk';
const HULK = 'hulk@4YeVEN3aUnvC1DNUufCq1bs9zoBSJTzVEj';
const GROUP = 'Group-1024@WDmgoRT19UnyZGtARQunLtYaJ1GiAD913';
const AES = { algorithm: 'AES', data: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' };
const base = { type: 136, sn: 7, time: 1545405083.5 };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('contentToWire writes what deployed apps send (wire spec §7)', () => {
  it('writes the content type as a JSON integer', () => {
    expect(contentToWire({ type: '1', sn: 1, text: 'hi' })).toEqual({ type: 1, sn: 1, text: 'hi' });
    expect(contentToWire({ type: 'command', sn: 1, command: 'x' })['type']).toBe(136);
  });

  it('writes a file key as both key and password', () => {
    const wire = contentToWire({ type: 16, sn: 1, time: 2, URL: 'https://x/y', key: AES });
    expect(Object.keys(wire)).toEqual(['type', 'sn', 'time', 'URL', 'key', 'password']);
    expect(wire['password']).toEqual(AES);
  });

  it('writes a name card subject as did and ID', () => {
    const wire = contentToWire({ type: 51, sn: 1, did: MOKI, name: 'moki' });
    expect(Object.keys(wire)).toEqual(['type', 'sn', 'did', 'name', 'ID']);
    expect(wire['ID']).toBe(MOKI);
  });

  it('writes command and cmd on every command', () => {
    for (const name of ['handshake', 'invite', 'unknown-thing']) {
      const wire = contentToWire({ ...base, command: name, title: 't' });
      expect(wire['command']).toBe(wire['cmd']);
    }
    expect(Object.keys(contentToWire({ type: 137, sn: 1, time: 1, command: 'join', group: GROUP }))).toEqual([
      'type',
      'sn',
      'time',
      'command',
      'group',
      'cmd',
    ]);
  });

  it('writes a handshake title as title and message', () => {
    const wire = contentToWire({ ...base, command: 'handshake', title: 'DIM?', session: 's' });
    expect(wire).toEqual({
      ...base,
      command: 'handshake',
      title: 'DIM?',
      session: 's',
      message: 'DIM?',
      cmd: 'handshake',
    });
  });

  it('writes a receipt with origin, envelope and the top-level copies of the Python app', () => {
    const origin = { sender: MOKI, receiver: HULK, time: 1, type: 1, sn: 99, signature: 'c2ln' };
    const wire = contentToWire({ ...base, command: 'receipt', text: 'Message received.', origin });
    expect(Object.keys(wire)).toEqual([
      'type',
      'sn',
      'time',
      'command',
      'text',
      'origin',
      'envelope',
      'sender',
      'receiver',
      'signature',
      'cmd',
    ]);
    expect(wire['envelope']).toEqual(origin);
    expect(wire).toMatchObject({ sender: MOKI, receiver: HULK, sn: 99, signature: 'c2ln' });
  });

  it('does not copy an invalid origin sn over the receipt sn', () => {
    const wire = contentToWire({ ...base, command: 'receipt', origin: { sender: MOKI, sn: 0 } });
    expect(wire['sn']).toBe(7);
  });

  it('writes login did and ID on the command, its station and its provider', () => {
    const wire = contentToWire({
      ...base,
      command: 'login',
      did: MOKI,
      agent: 'dimkit',
      station: { did: 'gate@rZs9SFpLpLqP4FwFgyoGzk2Tm27FiQQFC', host: '127.0.0.1', port: 9394 },
      provider: { did: 'gsp@everywhere' },
    });
    expect(Object.keys(wire)).toEqual([
      'type',
      'sn',
      'time',
      'command',
      'did',
      'agent',
      'station',
      'provider',
      'cmd',
      'ID',
    ]);
    expect(wire['ID']).toBe(MOKI);
    expect(wire['station']).toEqual({
      did: 'gate@rZs9SFpLpLqP4FwFgyoGzk2Tm27FiQQFC',
      host: '127.0.0.1',
      port: 9394,
      ID: 'gate@rZs9SFpLpLqP4FwFgyoGzk2Tm27FiQQFC',
    });
    expect(wire['provider']).toEqual({ did: 'gsp@everywhere', ID: 'gsp@everywhere' });
  });

  it('writes a report title, from a legacy state if that is all there is', () => {
    expect(contentToWire({ ...base, command: 'report', title: 'online' })['title']).toBe('online');
    expect(contentToWire({ ...base, command: 'report', state: 'background' })['title']).toBe('offline');
  });

  it('writes a one-document command in the legacy single-document form', () => {
    const doc = { type: 'visa', did: MOKI, data: '{}', signature: 'c2ln' };
    const wire = contentToWire({ ...base, command: 'documents', did: MOKI, documents: [doc] });
    expect(Object.keys(wire)).toEqual(['type', 'sn', 'time', 'command', 'did', 'document', 'cmd', 'ID']);
    expect(wire['command']).toBe('document');
    expect(wire['cmd']).toBe('document');
    expect(wire['document']).toEqual({ ...doc, ID: MOKI });
  });

  it('keeps several documents as an array and adds the newest as document', () => {
    const older = { type: 'visa', did: MOKI, data: '{"time":10}', signature: 'YQ==' };
    const newer = { type: 'visa', did: MOKI, data: '{"time":20}', signature: 'Yg==' };
    const wire = contentToWire({ ...base, command: 'documents', did: MOKI, documents: [newer, older] });
    expect(wire['documents']).toEqual([
      { ...newer, ID: MOKI },
      { ...older, ID: MOKI },
    ]);
    expect(wire['document']).toEqual({ ...newer, ID: MOKI });
  });

  it('gives a document without a subject the command did (2026 documents, §9)', () => {
    const wire = contentToWire({
      ...base,
      command: 'documents',
      did: MOKI,
      documents: [{ data: '{}', signature: 'YQ==' }],
    });
    expect(wire['document']).toEqual({ data: '{}', signature: 'YQ==', did: MOKI, ID: MOKI });
  });

  it('writes a documents query as a document command with did and ID', () => {
    const wire = contentToWire({ ...base, command: 'documents', did: MOKI, last_time: 5 });
    expect(wire).toEqual({ ...base, command: 'document', did: MOKI, last_time: 5, cmd: 'document', ID: MOKI });
  });

  it('writes meta type and version as integers in meta and documents commands', () => {
    const meta = { type: 1, key: { algorithm: 'RSA', data: 'x' }, seed: 'moki', fingerprint: 'Zg==' };
    for (const command of ['meta', 'documents']) {
      const wire = contentToWire({ ...base, command, did: MOKI, meta });
      expect(wire['meta']).toEqual({ type: 1, version: 1, key: meta.key, seed: 'moki', fingerprint: 'Zg==' });
      expect(Object.keys(wire['meta'] as JsonObject)).toEqual(['type', 'version', 'key', 'seed', 'fingerprint']);
      expect(wire['ID']).toBe(MOKI);
    }
  });

  it('filters the contents of an array content too', () => {
    const wire = contentToWire({ type: 202, sn: 1, contents: [{ type: '16', sn: 2, URL: 'u', key: AES }] });
    expect(wire['contents']).toEqual([{ type: 16, sn: 2, URL: 'u', key: AES, password: AES }]);
  });

  it('never mutates its input', () => {
    const content = deepFreeze({
      ...base,
      command: 'documents',
      did: MOKI,
      documents: [{ did: MOKI, data: '{}', signature: 'a' }],
    });
    expect(() => contentToWire(content)).not.toThrow();
    expect(content.command).toBe('documents');
  });
});

describe('wire spec §10.3: moki pushes its visa to everyone', () => {
  // moki's 2018 RSA-1024 key (test/fixtures/vectors/legacy-2018/moki.json): a PKCS#1 body under a
  // "PUBLIC KEY" label (§2.4 item 3); wrapped here into SPKI for WebCrypto.
  const mokiPkcs1 =
    'MIGJAoGBALQOcgxhhV0XiHELKYdG587Tup261qQ3ahAGPuifZvxHXTq+GgulEyXiovwrVjpz7rKXn+16HgspLHpp5agv0WsSn6k2MnQGk5RFXuilbFr/C1rEX2X7uXlUXDMpsriKFndoB1lz9P3E8FkM5ycG84hejcHB+R5yzDa4KbGeOc0tAgMBAAE=';
  const visaData = String.raw`{"type":"visa","created_time":1545405000.0,"name":"Monkey King","key":{"algorithm":"RSA","data":"-----BEGIN RSA PUBLIC KEY-----\r\nMIGJAoGBALQOcgxhhV0XiHELKYdG587Tup261qQ3ahAGPuifZvxHXTq+GgulEyXiovwrVjpz7rKXn+16HgspLHpp5agv0WsSn6k2MnQGk5RFXuilbFr/C1rEX2X7uXlUXDMpsriKFndoB1lz9P3E8FkM5ycG84hejcHB+R5yzDa4KbGeOc0tAgMBAAE=\r\n-----END RSA PUBLIC KEY-----","mode":"ECB","padding":"PKCS1","digest":"SHA256"},"time":1545405083.25}`;
  const visaSignature =
    'DIGVI8t74/jBdpbeA81TdjaWomuHCQzqApra7xAnk67a5LODjWahzJLnfS+zH60igMVwKZCkleXQqwCn0ZfYk2tRsbBKbMo8GLv/N5V7YoFiPYYv0fV5h39tVb2wrB0MwUbBmRE1Q+gqf1sUy/cGWqVvK62W1gS/UbNlqDEnl1c=';
  const contentSignature =
    'Pdz6ypBVbH1Q+pHK8K7O+Hd1mWEK1yNH6tG8A3YpmB2ImhPvDZT5iWolcXJfqCVbtZkS7JWqfuvWcggBXRGvKtyaCD5GVwNSPtgXr7cvLFiJzhlxR2t5zaq6Zq6HiWqSoIIHhLOHcFk9CM+etETGlVZY6HOI+crr0ozYzJV/aVI=';

  // The compact text of §10.3, keys in the order shown there.
  const expected =
    `{"type":136,"sn":1234567,"time":1545405083.5,"command":"document","did":"${MOKI}",` +
    `"document":{"type":"visa","did":"${MOKI}","data":${JSON.stringify(visaData)},` +
    `"signature":"${visaSignature}","ID":"${MOKI}"},"cmd":"document","ID":"${MOKI}"}`;

  async function verifyMoki(text: string, signature: string): Promise<boolean> {
    const spkiPrefix = Uint8Array.from([
      0x30, 0x81, 0x9f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03,
      0x81, 0x8d, 0x00,
    ]);
    const pkcs1 = decodeBase64(mokiPkcs1);
    const spki = new Uint8Array(spkiPrefix.length + pkcs1.length);
    spki.set(spkiPrefix);
    spki.set(pkcs1, spkiPrefix.length);
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const key = await crypto.subtle.importKey('spki', spki as BufferSource, algorithm, false, ['verify']);
    return crypto.subtle.verify(
      algorithm,
      key,
      decodeBase64(signature) as BufferSource,
      encodeUtf8(text) as BufferSource,
    );
  }

  function build(): JsonObject {
    const visa = { type: 'visa', did: MOKI, data: visaData, signature: visaSignature };
    const content = createDocumentsCommand({ did: MOKI, documents: [visa] }, { sn: 1234567, time: 1545405083.5 });
    return contentToWire(content);
  }

  it("the visa data and signature transcribed from the spec verify with moki's key", async () => {
    expect(await verifyMoki(visaData, visaSignature)).toBe(true);
  });

  it('constructors + contentToWire give exactly the compact text that was signed', () => {
    expect(JSON.stringify(build())).toBe(expected);
  });

  it('the signature of §10.3 verifies over that text', async () => {
    expect(await verifyMoki(JSON.stringify(build()), contentSignature)).toBe(true);
    expect(await verifyMoki(JSON.stringify(build()).replace('1234567', '1234568'), contentSignature)).toBe(false);
  });

  it('reads back into the canonical documents command', () => {
    const content = parseContent(JSON.parse(expected));
    expect(content).toEqual({
      type: 136,
      sn: 1234567,
      time: 1545405083.5,
      command: 'documents',
      did: MOKI,
      documents: [{ type: 'visa', did: MOKI, data: visaData, signature: visaSignature }],
    });
  });
});

describe('contentFromWire reads every legacy spelling (wire spec §7 "Incoming")', () => {
  it('expands content short keys and never overwrites a long key (§4.10)', () => {
    expect(contentFromWire({ T: '1', N: 5, W: 1.5, G: GROUP, text: 'x' })).toEqual({
      type: 1,
      sn: 5,
      time: 1.5,
      group: GROUP,
      text: 'x',
    });
    expect(contentFromWire({ T: '1', type: 16, N: 5, sn: 6, C: 'y', URL: 'u' })).toEqual({
      T: '1',
      type: 16,
      N: 5,
      sn: 6,
      command: 'y',
      URL: 'u',
    });
    expect(contentFromWire({ T: 136, N: 5, C: 'handshake', title: 'a' })).toMatchObject({ command: 'handshake' });
  });

  it('reads the trace of the short-key vector into its expected content', () => {
    const v = load('messages/011-text-shortkeys.json');
    const plaintext = JSON.parse((v['trace'] as JsonObject)['contentPlaintext'] as string) as JsonObject;
    expect(parseContent(contentFromWire(plaintext))).toEqual({
      ...((v['instant'] as JsonObject)['content'] as JsonObject),
      type: 1,
    });
  });

  it('reads numeric-string times (§1)', () => {
    expect(contentFromWire({ type: 1, sn: 1, time: '1545405083.5', text: '' })['time']).toBe(1545405083.5);
    expect(contentFromWire({ ...base, command: 'documents', did: MOKI, last_time: '12' })['last_time']).toBe(12);
  });

  it('reads cmd as command, and rejects the two when they differ', () => {
    expect(contentFromWire({ ...base, cmd: 'handshake', title: 'a' })).toEqual({
      ...base,
      command: 'handshake',
      title: 'a',
    });
    expect(codeOf(() => contentFromWire({ ...base, command: 'block', cmd: 'mute' }))).toBe('command.format');
  });

  it('reads file password as key, and rejects different key and password', () => {
    expect(contentFromWire({ type: 16, sn: 1, URL: 'u', password: AES })).toEqual({
      type: 16,
      sn: 1,
      URL: 'u',
      key: AES,
    });
    expect(contentFromWire({ type: 16, sn: 1, URL: 'u', key: AES, password: { ...AES } })).toEqual({
      type: 16,
      sn: 1,
      URL: 'u',
      key: AES,
    });
    const other = { algorithm: 'PLAIN' };
    expect(codeOf(() => contentFromWire({ type: 16, sn: 1, URL: 'u', key: AES, password: other }))).toBe(
      'content.format',
    );
  });

  it('reads name card ID as did, and rejects different did and ID', () => {
    expect(contentFromWire({ type: 51, sn: 1, ID: MOKI })).toEqual({ type: 51, sn: 1, did: MOKI });
    expect(codeOf(() => contentFromWire({ type: 51, sn: 1, ID: MOKI, did: HULK }))).toBe('content.format');
  });

  it('reads handshake message as title', () => {
    expect(contentFromWire({ ...base, command: 'handshake', message: 'DIM!' })['title']).toBe('DIM!');
    expect(codeOf(() => contentFromWire({ ...base, command: 'handshake', message: 'DIM!', title: 'DIM?' }))).toBe(
      'command.format',
    );
  });

  it('reads receipt envelope as origin and drops the top-level copies of it', () => {
    const origin = { sender: MOKI, receiver: HULK, sn: 99, signature: 'c2ln' };
    const wire = {
      ...base,
      command: 'receipt',
      text: 'ok',
      envelope: origin,
      sender: MOKI,
      receiver: HULK,
      signature: 'c2ln',
    };
    expect(contentFromWire(wire)).toEqual({ ...base, command: 'receipt', text: 'ok', origin });
  });

  it('builds the origin of a 2018 receipt from its top-level fields', () => {
    const wire = { ...base, sn: 99, command: 'receipt', text: 'ok', sender: MOKI, receiver: HULK, signature: 'c2ln' };
    expect(contentFromWire(wire)).toEqual({
      ...base,
      sn: 99,
      command: 'receipt',
      text: 'ok',
      origin: { sender: MOKI, receiver: HULK, sn: 99, signature: 'c2ln' },
    });
  });

  it('reads the legacy report forms as a report with a title', () => {
    expect(contentFromWire({ ...base, command: 'online' })).toEqual({ ...base, command: 'report', title: 'online' });
    expect(contentFromWire({ ...base, command: 'report', state: 'foreground' })).toEqual({
      ...base,
      command: 'report',
      title: 'online',
    });
  });

  it('reads group member as members', () => {
    const wire = { type: 137, sn: 1, time: 1, command: 'invite', group: GROUP, member: MOKI };
    expect(contentFromWire(wire)).toEqual({
      type: 137,
      sn: 1,
      time: 1,
      command: 'invite',
      group: GROUP,
      members: [MOKI],
    });
    expect(contentFromWire({ ...wire, members: [HULK, MOKI] })['members']).toEqual([HULK, MOKI]);
    expect(codeOf(() => contentFromWire({ ...wire, members: [HULK] }))).toBe('command.format');
  });

  it('reads a 1.0 profile command (data string, signature at the top level)', () => {
    const wire = { ...base, command: 'profile', ID: MOKI, profile: '{"name":"moki"}', signature: 'c2ln' };
    expect(contentFromWire(wire)).toEqual({
      ...base,
      command: 'documents',
      did: MOKI,
      documents: [{ did: MOKI, data: '{"name":"moki"}', signature: 'c2ln' }],
    });
  });

  it('reads a 1.1 profile command (document object)', () => {
    const wire = { ...base, command: 'profile', ID: MOKI, profile: { ID: MOKI, data: '{}', signature: 'c2ln' } };
    expect(contentFromWire(wire)['documents']).toEqual([{ did: MOKI, data: '{}', signature: 'c2ln' }]);
  });

  it('merges document into documents without duplicating or losing one', () => {
    const a = { did: MOKI, data: '{"time":1}', signature: 'YQ==' };
    const b = { did: MOKI, data: '{"time":2}', signature: 'Yg==' };
    const withBoth = { ...base, command: 'document', did: MOKI, documents: [a, b], document: { ...b, ID: MOKI } };
    expect(contentFromWire(withBoth)['documents']).toEqual([a, b]);
    const extra = { ...base, command: 'document', did: MOKI, documents: [a], document: b };
    expect(contentFromWire(extra)['documents']).toEqual([a, b]);
  });

  it('reads meta version as an integer type', () => {
    const meta = { version: 1, key: { algorithm: 'RSA', data: 'x' }, seed: 'moki', fingerprint: 'Zg==' };
    expect(contentFromWire({ ...base, command: 'meta', ID: MOKI, meta })).toEqual({
      ...base,
      command: 'meta',
      did: MOKI,
      meta: { type: 1, key: meta.key, seed: 'moki', fingerprint: 'Zg==' },
    });
    expect(codeOf(() => contentFromWire({ ...base, command: 'meta', did: MOKI, meta: { type: 'x' } }))).toBe(
      'meta.type',
    );
  });

  it('filters array contents recursively', () => {
    const wire: JsonObject = {
      type: 'array',
      sn: 1,
      contents: [
        { T: 'text', N: 2, text: 'a' },
        { type: 16, sn: 3, password: AES },
      ],
    };
    expect(contentFromWire(wire)['contents']).toEqual([
      { type: 1, sn: 2, text: 'a' },
      { type: 16, sn: 3, key: AES },
    ]);
  });

  it('leaves unknown types, unknown commands and unknown fields as they came', () => {
    const unknown = { type: 66, sn: 1, ID: MOKI, cmd: 'x', password: 'p', 'odd key': [1, { b: null }] };
    expect(contentFromWire(unknown)).toEqual(unknown);
    const command = { ...base, command: 'future', ID: MOKI, document: 1, message: 'm' };
    expect(contentFromWire(command)).toEqual(command);
  });

  it('never mutates its input', () => {
    const wire = deepFreeze({ ...base, cmd: 'document', ID: MOKI, document: { ID: MOKI, data: '{}', signature: 'a' } });
    expect(contentFromWire(wire)['command']).toBe('documents');
    expect(wire.cmd).toBe('document');
  });
});
