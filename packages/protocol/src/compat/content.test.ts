// eslint-disable-next-line no-restricted-imports -- tests run on Node and read the shared vector files
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseContent } from '../content/parse-content.js';
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
