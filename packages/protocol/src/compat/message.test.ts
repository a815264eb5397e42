// eslint-disable-next-line no-restricted-imports -- tests run on Node and read the shared vector files
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { keyFromWire, keyToWire } from './key.js';
import { messageFromWire, messageToWire } from './message.js';

const load = (path: string): JsonObject =>
  JSON.parse(readFileSync(new URL(`../../../../test/fixtures/vectors/${path}`, import.meta.url), 'utf8')) as JsonObject;

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof DimError ? err.code : `not a DimError: ${String(err)}`;
  }
  return undefined;
};

describe('messageFromWire (wire spec §4.10, §4.5 step 1)', () => {
  it.each(['011-text-shortkeys.json', '027-text-shortkeys.json'])(
    'expands the short keys of the reference shortener (%s)',
    (file) => {
      const v = load(`messages/${file}`);
      const wire = JSON.parse(v['wire'] as string) as JsonObject;
      const message = messageFromWire(wire);
      const reliable = v['reliable'] as JsonObject;
      const instant = v['instant'] as JsonObject;
      expect(message).toMatchObject({
        sender: instant['sender'],
        receiver: instant['receiver'],
        time: instant['time'],
        type: 1,
        IV: wire['IV'],
        data: wire['D'],
        key: wire['K'],
        signature: wire['V'],
      });
      for (const short of ['F', 'R', 'W', 'T', 'K', 'D', 'V']) expect(message).not.toHaveProperty(short);
      expect(Object.keys(message).sort()).toEqual(
        ['IV', 'data', 'key', 'receiver', 'sender', 'signature', 'time', 'type'].sort(),
      );
      expect(reliable).toBeDefined();
    },
  );

  it('reads K as keys when it is an object, and leaves every short key whose long key exists', () => {
    expect(messageFromWire({ F: 'a', K: { b: 'x' }, D: 'd', V: 's' })).toEqual({
      sender: 'a',
      keys: { b: 'x' },
      data: 'd',
      signature: 's',
    });
    const both = { F: 'a', sender: 'b', K: 'k', key: 'l', M: { type: 1 }, meta: { type: 2 } };
    expect(messageFromWire(both)).toEqual(both);
    expect(messageFromWire({ G: 'g', P: { ID: 'x', data: '', signature: '' } })).toEqual({
      group: 'g',
      visa: { did: 'x', data: '', signature: '' },
    });
  });

  it('normalizes the attachments of a v1 web client first handshake (meta version, visa ID)', () => {
    const frame = (load('webclient-v1/frames.json')['frames'] as JsonObject[])[0]!;
    const wire = JSON.parse(frame['wire'] as string) as JsonObject;
    const message = messageFromWire(wire);
    expect(message['meta']).toMatchObject({ type: 4 });
    expect(message['meta']).not.toHaveProperty('version');
    expect(message['visa']).toMatchObject({ did: (wire['visa'] as JsonObject)['ID'] });
    expect(message['visa']).not.toHaveProperty('ID');
    // fields it does not know stay as they came
    expect(message['sn']).toBe(wire['sn']);
    expect(message['data']).toBe(wire['data']);
  });

  it('reads a string envelope type as an integer (§4.2)', () => {
    const v = load('messages/010-text-attached.json');
    const message = messageFromWire(JSON.parse(v['wire'] as string) as JsonObject);
    expect(message['type']).toBe(1);
    expect((message['meta'] as JsonObject)['type']).toBe(1);
  });

  it('rejects a visa whose did and ID differ', () => {
    expect(codeOf(() => messageFromWire({ visa: { did: 'a', ID: 'b' } }))).toBe('document.invalid');
    expect(codeOf(() => messageFromWire({ meta: { type: 1, version: 4 } }))).toBe('meta.type');
  });
});

describe('messageToWire (wire spec §7 "Outgoing message")', () => {
  it('writes meta type and version as integers and visa did and ID', () => {
    const out = messageToWire({
      sender: 'a',
      type: '136',
      meta: { type: '4', key: { algorithm: 'ECC' } },
      visa: { type: 'visa', did: 'a', data: '{}', signature: 's' },
    });
    expect(out).toEqual({
      sender: 'a',
      type: 136,
      meta: { type: 4, version: 4, key: { algorithm: 'ECC' } },
      visa: { type: 'visa', did: 'a', data: '{}', signature: 's', ID: 'a' },
    });
  });

  it('round-trips the attachments of the v1 web client', () => {
    const frame = (load('webclient-v1/frames.json')['frames'] as JsonObject[])[0]!;
    const wire = JSON.parse(frame['wire'] as string) as JsonObject;
    const back = messageToWire(messageFromWire(wire));
    expect(back['meta']).toEqual(wire['meta']);
    expect(back['visa']).toEqual({ ...(wire['visa'] as JsonObject), did: (wire['visa'] as JsonObject)['ID'] });
  });
});

describe('keyFromWire / keyToWire (wire spec §4.10, §2.2)', () => {
  it('expands A, D, I in the key plaintext of the short-key vector', () => {
    const v = load('messages/011-text-shortkeys.json');
    const trace = v['trace'] as JsonObject;
    const key = keyFromWire(JSON.parse(trace['keyPlaintext'] as string) as JsonObject);
    expect(key).toEqual(trace['password']);
    expect(keyFromWire({ A: 'AES', D: 'x', I: 'iv' })).toEqual({ algorithm: 'AES', data: 'x', iv: 'iv' });
  });

  it('drops the local flags reused and digest', () => {
    expect(keyToWire({ algorithm: 'AES', data: 'x', reused: true, digest: 'abc' })).toEqual({
      algorithm: 'AES',
      data: 'x',
    });
  });
});
