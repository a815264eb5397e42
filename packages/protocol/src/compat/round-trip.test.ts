import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createAnsCommand,
  createArrayContent,
  createAudioContent,
  createBlockCommand,
  createCombineContent,
  createContent,
  createDocumentsCommand,
  createFileContent,
  createForwardContent,
  createGroupHistoryQuery,
  createGroupKeysContent,
  createHandshakeCommand,
  createHireCommand,
  createImageContent,
  createInviteCommand,
  createJoinCommand,
  createLoginCommand,
  createMetaCommand,
  createMoneyContent,
  createMuteCommand,
  createNameCard,
  createPageContent,
  createQuoteContent,
  createReceiptCommand,
  createReportCommand,
  createResetCommand,
  createTextContent,
  createTransferContent,
  createVideoContent,
  parseContent,
  type Content,
  type ContentOptions,
} from '../content/index.js';
import type { JsonObject, JsonValue } from '../encoding/json.js';
import { DimError } from '../errors.js';
import { contentFromWire, contentToWire } from './content.js';

const id = fc.oneof(
  fc.constantFrom(
    'moki@4WDfe3zZ4T7opFSi3iDAKiuTnUHjxmXekk',
    '0x45FDd9162982319eaB94880Cc2836C4AFC1a57a1',
    'anyone@anywhere',
    'Group-1024@WDmgoRT19UnyZGtARQunLtYaJ1GiAD913',
  ),
  fc.string({ minLength: 1, maxLength: 40 }),
);
const text = fc.string({ maxLength: 30 });
const time = fc.double({ min: 0, max: 4e9, noNaN: true, noDefaultInfinity: true });
const options: fc.Arbitrary<ContentOptions> = fc.record(
  { sn: fc.integer({ min: 1, max: 0x7fffffff }), time, group: id },
  { requiredKeys: ['sn', 'time'] },
);
const noProto = (v: unknown) => !JSON.stringify(v).includes('"__proto__"');
const json = fc.jsonValue({ maxDepth: 2 }).filter(noProto) as fc.Arbitrary<JsonValue>;
const object = fc
  .dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 })
  .filter(noProto) as fc.Arbitrary<JsonObject>;
const aesKey = fc.record({ algorithm: fc.constant('AES'), data: fc.base64String({ maxLength: 44 }) });
const meta = fc.record({
  type: fc.constantFrom(1, 2, 4),
  key: fc.record({ algorithm: fc.constantFrom('RSA', 'ECC'), data: text }),
});
const doc = fc.record({
  type: fc.constantFrom('visa', 'bulletin'),
  data: time.map((t) => JSON.stringify({ time: t })),
  signature: fc.base64String({ maxLength: 20 }),
});
const members = fc.array(id, { minLength: 1, maxLength: 4 });
const origin = fc.record({
  sender: id,
  receiver: id,
  type: fc.integer({ min: 0, max: 255 }),
  sn: fc.integer({ min: 1 }),
});

/** Every content family, built with the constructors (so in canonical form). */
const canonical: fc.Arbitrary<Content> = fc.oneof(
  fc
    .tuple(text, fc.option(fc.constant('markdown'), { nil: undefined }), options)
    .map(([t, format, o]) => createTextContent(t, { ...o, format })),
  fc
    .tuple(fc.webUrl(), aesKey, text, options)
    .map(([URL, key, filename, o]) => createFileContent({ URL, key, filename }, o)),
  fc.tuple(fc.webUrl(), aesKey, options).map(([URL, key, o]) => createImageContent({ URL, key, thumbnail: URL }, o)),
  fc
    .tuple(fc.uint8Array({ maxLength: 16 }), options)
    .map(([data, o]) => createAudioContent({ data, duration: 1.5 }, o)),
  fc.tuple(fc.webUrl(), options).map(([URL, o]) => createVideoContent({ URL, key: { algorithm: 'PLAIN' } }, o)),
  fc.tuple(fc.webUrl(), text, options).map(([URL, title, o]) => createPageContent({ URL, title }, o)),
  fc.tuple(id, text, options).map(([did, name, o]) => createNameCard({ did, name }, o)),
  fc.tuple(text, origin, options).map(([t, q, o]) => createQuoteContent(t, q, o)),
  fc
    .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), options)
    .map(([amount, o]) => createMoneyContent({ currency: 'USD', amount }, o)),
  fc
    .tuple(id, id, options)
    .map(([remitter, remittee, o]) => createTransferContent({ currency: 'DIM', amount: 1, remitter, remittee }, o)),
  fc.tuple(id, time, options).map(([group, last_time, o]) => createGroupHistoryQuery({ group, last_time }, o)),
  fc
    .tuple(id, id, members, options)
    .map(([group, from, to, o]) => createGroupKeysContent({ act: 'query', group, from, to, digest: 'abcdefgh' }, o)),
  fc
    .tuple(fc.array(object, { maxLength: 3 }), options)
    .map(([messages, o]) => createCombineContent({ title: 'chat', messages }, o)),
  fc.tuple(object, options).map(([msg, o]) => createForwardContent({ ...msg, sender: 'a', data: 'b' }, o)),
  fc
    .tuple(id, fc.option(meta, { nil: undefined }), options)
    .map(([did, m, o]) => createMetaCommand({ did, meta: m }, o)),
  fc
    .tuple(id, fc.array(doc, { maxLength: 3 }), fc.option(meta, { nil: undefined }), options)
    .map(([did, docs, m, o]) =>
      createDocumentsCommand({ did, documents: docs.map((d) => ({ ...d, did })), meta: m }, o),
    ),
  fc.tuple(id, time, options).map(([did, last_time, o]) => createDocumentsCommand({ did, last_time }, o)),
  fc
    .tuple(
      text,
      fc.option(fc.record({ sender: id, receiver: id, sn: fc.integer({ min: 0 }), signature: text })),
      options,
    )
    .map(([t, env, o]) => createReceiptCommand({ text: t, origin: env ?? undefined }, o)),
  fc
    .tuple(text, fc.option(text, { nil: undefined }), options)
    .map(([title, session, o]) => createHandshakeCommand({ title, session }, o)),
  fc
    .tuple(id, id, options)
    .map(([did, station, o]) =>
      createLoginCommand(
        { did, agent: 'x', station: { did: station, host: 'h', port: 9394 }, provider: { did: station } },
        o,
      ),
    ),
  fc.tuple(fc.constantFrom('online', 'offline'), options).map(([title, o]) => createReportCommand({ title }, o)),
  fc.tuple(fc.array(id, { maxLength: 3 }), options).map(([list, o]) => createBlockCommand({ list }, o)),
  options.map((o) => createMuteCommand({}, o)),
  fc
    .tuple(fc.dictionary(text, id, { maxKeys: 3 }), options)
    .map(([records, o]) => createAnsCommand({ names: 'a b', records }, o)),
  fc.tuple(id, members, options).map(([g, m, o]) => createInviteCommand(g, m, o)),
  fc.tuple(id, members, options).map(([g, m, o]) => createResetCommand(g, m, o)),
  fc.tuple(id, options).map(([g, o]) => createJoinCommand(g, o)),
  fc.tuple(id, members, options).map(([g, m, o]) => createHireCommand(g, { administrators: m }, o)),
  fc.tuple(object, options).map(([fields, o]) => createContent(0x42, fields, o)),
);

const withArrays: fc.Arbitrary<Content> = fc.oneof(
  { weight: 5, arbitrary: canonical },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.array(canonical, { maxLength: 3 }), options).map(([c, o]) => createArrayContent(c, o)),
  },
);

/** Unknown fields (prefixed, so no filter touches them) added to a content. */
const withExtras = fc
  .tuple(withArrays, fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 3 }))
  .map(
    ([c, extra]) => ({ ...c, ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`x-${k}`, v])) }) as Content,
  );

const viaText = (value: JsonObject): JsonObject => JSON.parse(JSON.stringify(value)) as JsonObject;

/** What a content reads back as after contentToWire: a receipt takes its origin's sn (§6.3). */
function expectedAfterWire(content: JsonObject): JsonObject {
  const out = viaText(content);
  if (Array.isArray(out['contents'])) out['contents'] = out['contents'].map((c) => expectedAfterWire(c as JsonObject));
  const origin = out['origin'];
  if (out['command'] === 'receipt' && typeof origin === 'object' && origin !== null && !Array.isArray(origin)) {
    const sn = origin['sn'];
    if (typeof sn === 'number' && sn >= 1 && sn <= 0x7fffffff) out['sn'] = sn;
  }
  return out;
}

describe('round trips (fast-check)', () => {
  it('every constructed content is canonical: parseContent and contentFromWire leave it unchanged', () => {
    fc.assert(
      fc.property(withExtras, (content) => {
        expect(parseContent(content)).toEqual(content);
        expect(contentFromWire(content)).toEqual(content);
      }),
    );
  });

  it('to the wire and back gives the canonical content (receipts: the origin sn)', () => {
    fc.assert(
      fc.property(withExtras, (content) => {
        const wire = viaText(contentToWire(content));
        expect(parseContent(wire)).toEqual(expectedAfterWire(content));
      }),
    );
  });

  it('the wire form has an integer type and both names of every renamed field', () => {
    fc.assert(
      fc.property(withArrays, (content) => {
        const wire = contentToWire(content);
        expect(Number.isInteger(wire['type'])).toBe(true);
        const pairs: [string, string][] = [
          ['command', 'cmd'],
          ['did', 'ID'],
          ['key', 'password'],
        ];
        if (wire['command'] === 'receipt') pairs.push(['origin', 'envelope']);
        for (const [current, legacy] of pairs) {
          if (current in wire || legacy in wire) expect(wire[legacy]).toEqual(wire[current]);
        }
        if (wire['command'] === 'handshake') expect(wire['message']).toBe(wire['title']);
        expect(wire['command']).not.toBe('documents');
      }),
    );
  });
});

const INTERESTING_KEYS = [
  'type',
  'sn',
  'time',
  'group',
  'T',
  'N',
  'W',
  'G',
  'C',
  'command',
  'cmd',
  'ID',
  'did',
  'key',
  'password',
  'title',
  'message',
  'origin',
  'envelope',
  'sender',
  'receiver',
  'signature',
  'document',
  'documents',
  'profile',
  'member',
  'members',
  'state',
  'meta',
  'contents',
  'station',
  'provider',
  'last_time',
  'list',
  'records',
  'forward',
  'secrets',
  'messages',
  'URL',
  'text',
  '__proto__',
];
const typeValue = fc.oneof(
  fc.constantFrom(1, 16, 18, 51, 55, 136, 137, 202, 204, 255, '136', 'text', 'command', 'receipt', '0x88', -1, 2 ** 40),
  fc.jsonValue({ maxDepth: 1 }),
);
const commandValue = fc.constantFrom(
  'documents',
  'document',
  'profile',
  'meta',
  'receipt',
  'handshake',
  'login',
  'report',
  'online',
  'invite',
  'reset',
  'ans',
  'block',
);
const messy = fc
  .tuple(
    typeValue,
    fc.oneof(commandValue, fc.jsonValue({ maxDepth: 1 })),
    fc.dictionary(fc.constantFrom(...INTERESTING_KEYS), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }),
  )
  .map(([type, command, rest]) => ({ ...rest, type, command, cmd: command }));

describe('hostile input (fast-check)', () => {
  it('contentFromWire + parseContent either return a content or throw a DimError, on any JSON', () => {
    fc.assert(
      fc.property(fc.oneof(messy, fc.jsonValue()), (value) => {
        try {
          const content = parseContent(value);
          expect(typeof content.type).toBe('number');
        } catch (err) {
          expect(err).toBeInstanceOf(DimError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('contentToWire never throws on a parsed content', () => {
    fc.assert(
      fc.property(messy, (value) => {
        let content: Content;
        try {
          content = parseContent(value);
        } catch {
          return;
        }
        expect(() => contentToWire(content)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });
});
