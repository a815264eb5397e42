// Feeds mutated DIM frames (made from valid ones) to a running station, before and after the handshake, over
// WebSocket and MTP. The station must neither crash, nor hit a bug path (an error log, an `internal.error`
// close), nor stop serving others. `DIM_FUZZ_ITERATIONS` raises the count (`npm run fuzz`); `DIM_FUZZ_SEED`
// replays a run (the seed is printed when a run fails).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAnsCommand,
  createBlockCommand,
  createDocumentsCommand,
  createHandshakeCommand,
  createLoginCommand,
  createMetaCommand,
  createReportCommand,
  createTextContent,
  HandshakeTitle,
} from '@dimkit/protocol/content';
import type { JsonValue } from '@dimkit/protocol/encoding';
import { documentToDict, metaToDict } from '@dimkit/protocol/mkm';
import { readVector } from '../../../test/fixtures/vectors.js';
import { DimTestClient } from '../../../test/helpers/dim-client.js';
import { Station, createLogger, parseStationConfig } from '../src/index.js';
import { contactOf, login, tempDir, user } from './_harness.js';
import { rmSync } from 'node:fs';

const ITERATIONS = Number(process.env['DIM_FUZZ_ITERATIONS'] ?? 10_000);
const SEED = Number(process.env['DIM_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const encoder = new TextEncoder();

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY: readonly JsonValue[] = [
  null,
  0,
  -1,
  1e308,
  -1e-308,
  2 ** 53 + 1,
  '',
  ' ',
  '\u0000',
  '\ud800',
  'x'.repeat(70_000),
  true,
  [],
  {},
  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
  'station@anywhere',
  'anyone@anywhere',
  'everyone@everywhere',
  'stations@everywhere',
  'archivist@anywhere',
  'Group-1024@7aoiXULQcJhYdsDRWynf4PYydxr1yJ1ZUu',
  'alice@16v7cfXHmChTX3tuhAkCYnJNZTqj2e3kEn',
  '0x45FDd9162982319eaB94880Cc2836C4AFC1a57a1',
  'bob@anywhere/terminal',
  '0x45fdd9162982319eab94880cc2836c4afc1a57a1',
  'AAAA',
  '!!!not base64!!!',
  '{"type":136,"sn":1,"command":"handshake","title":"Hello world!"}',
  { __proto__: { polluted: true } } as unknown as JsonValue,
  { type: 1, key: { algorithm: 'RSA', data: 'x' } },
  { algorithm: 'ECC', data: '04' },
  'Hello world!',
  'DIM!',
  136,
  '136',
  'receipt',
];

type Mutator = (frame: string, random: () => number) => string | Uint8Array;

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)]!;
}

/** Every (path, parent) of a JSON tree, to mutate one spot. */
function spots(value: unknown, out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = []) {
  if (typeof value !== 'object' || value === null) return out;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push({ parent: value, key: i });
      spots(item, out);
    });
  } else {
    for (const key of Object.keys(value)) {
      out.push({ parent: value as Record<string, unknown>, key });
      spots((value as Record<string, unknown>)[key], out);
    }
  }
  return out;
}

const MUTATORS: readonly Mutator[] = [
  // flip bytes
  (frame, random) => {
    const bytes = encoder.encode(frame);
    for (let n = 1 + Math.floor(random() * 8); n > 0; n--) {
      const i = Math.floor(random() * bytes.length);
      bytes[i] = bytes[i]! ^ (1 << Math.floor(random() * 8));
    }
    return bytes;
  },
  // truncate
  (frame, random) => frame.slice(0, Math.floor(random() * frame.length)),
  // insert garbage
  (frame, random) => {
    const at = Math.floor(random() * frame.length);
    const junk = Array.from({ length: 1 + Math.floor(random() * 32) }, () =>
      String.fromCharCode(Math.floor(random() * 0x7f)),
    ).join('');
    return frame.slice(0, at) + junk + frame.slice(at);
  },
  // several messages in one frame ("JSON in lines", §1.6), some cut
  (frame, random) => [frame, frame.slice(0, Math.floor(random() * frame.length)), frame].join('\n'),
  // set one field (at any depth) to a nasty value
  (frame, random) => {
    const json = JSON.parse(frame) as unknown;
    const all = spots(json);
    const spot = pick(all, random);
    (spot.parent as Record<string | number, unknown>)[spot.key] = pick(NASTY, random);
    return JSON.stringify(json);
  },
  // delete one field
  (frame, random) => {
    const json = JSON.parse(frame) as Record<string, unknown>;
    const spot = pick(spots(json), random);
    if (Array.isArray(spot.parent)) spot.parent.splice(Number(spot.key), 1);
    else delete spot.parent[spot.key as string];
    return JSON.stringify(json);
  },
  // mutate inside a plain-JSON `data` (broadcasts): the content changes, the signature no longer fits
  (frame, random) => {
    const json = JSON.parse(frame) as Record<string, unknown>;
    const data = json['data'];
    if (typeof data !== 'string' || !data.startsWith('{')) return frame.replace('"sn"', '"sN"');
    const content = JSON.parse(data) as unknown;
    const spot = pick(spots(content), random);
    (spot.parent as Record<string | number, unknown>)[spot.key] = pick(NASTY, random);
    json['data'] = JSON.stringify(content);
    return JSON.stringify(json);
  },
  // swap a field's value with another frame field's
  (frame, random) => {
    const json = JSON.parse(frame) as Record<string, unknown>;
    const keys = Object.keys(json);
    const a = pick(keys, random);
    const b = pick(keys, random);
    [json[a], json[b]] = [json[b], json[a]];
    return JSON.stringify(json);
  },
];

describe('fuzz: mutated frames', () => {
  let station: Station;
  let port: number;
  let dataDir: string;
  const errors: string[] = [];

  beforeAll(async () => {
    dataDir = tempDir('dim-fuzz-');
    // Capture error-level logs: any of them means a bug path was hit.
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line.includes('"level":50') || line.includes('"level":60')) errors.push(line.slice(0, 2000));
        }
        done();
      },
    });
    station = new Station({
      config: parseStationConfig({
        host: '127.0.0.1',
        port: 0,
        dataDir,
        session: { maxRefusals: 1_000_000 },
        inbox: { maxPerReceiver: 200 },
        ans: { archivist: user('robot').id.text },
      }),
      logger: createLogger({ level: 'warn', destination: sink }),
    });
    port = (await station.start()).port;
  });

  afterAll(async () => {
    await station.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    `survives ${ITERATIONS} mutated frames before and after the handshake (seed ${SEED})`,
    async () => {
      const random = prng(SEED);
      const alice = user('alice');
      const bob = user('bob');
      const carol = user('carol');

      // Valid frames to mutate. Before the handshake: first handshakes (ours and a reference web client's).
      const bootstrap = await DimTestClient.connect({ port, identity: alice });
      const preHandshake = [
        JSON.stringify(
          bootstrap.seal('station@anywhere', createHandshakeCommand({ title: HandshakeTitle.HELLO }), { attach: true }),
        ),
        readVector<{ frames: { wire: string }[] }>('webclient-v1/frames.json').frames[0]!.wire,
        readVector<{ frames: { wire: string }[] }>('webclient-v1/frames.json').frames[6]!.wire,
      ];
      await bootstrap.close();

      // After the handshake: what alice's client sends to people and to the station, over WebSocket and over
      // MTP (two connections of alice; over WebSocket mutated bytes go as binary frames, as browsers send them).
      const author = await login(port, alice, 'ws');
      const authorMtp = await login(port, alice, 'mtp');
      for (const other of [bob, carol]) author.addContact(contactOf(other));
      const stationId = author.station!.id.text;
      const seal = (receiver: string, content: Parameters<DimTestClient['seal']>[1], attach = false) =>
        JSON.stringify(author.seal(receiver, content, { attach }));
      const postHandshake = [
        seal(bob.id.text, createTextContent('hi bob')),
        seal(carol.id.text, createTextContent('hi carol'), true),
        seal(stationId, createMetaCommand({ did: bob.id.text })),
        seal('station@anywhere', createDocumentsCommand({ did: bob.id.text, last_time: 1 })),
        seal(
          stationId,
          createDocumentsCommand({
            did: alice.id.text,
            documents: [documentToDict(alice.visa!)],
            meta: metaToDict(alice.meta),
          }),
        ),
        seal(
          'everyone@everywhere',
          createLoginCommand({ did: alice.id.text, station: { did: stationId, host: '127.0.0.1', port } }),
        ),
        seal('station@anywhere', createReportCommand({ title: 'online' })),
        seal(stationId, createBlockCommand({ list: [carol.id.text] })),
        seal(stationId, createAnsCommand({ names: 'archivist nobody' })),
        seal('archivist@anywhere', createTextContent('bot')),
        seal(stationId, createHandshakeCommand({ title: HandshakeTitle.HELLO, session: '0'.repeat(64) })),
      ];

      let fresh: DimTestClient | undefined;
      let sent = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const before = random() < 0.3;
        const base = pick(before ? preHandshake : postHandshake, random);
        let frame: string | Uint8Array;
        try {
          frame = pick(MUTATORS, random)(base, random);
        } catch {
          frame = base;
        }
        if (before) {
          if (fresh === undefined || fresh.closed) {
            fresh = await DimTestClient.connect({ port, identity: alice, transport: random() < 0.5 ? 'ws' : 'mtp' });
          }
          fresh.sendRaw(frame);
        } else {
          const via = random() < 0.5 ? author : authorMtp;
          if (via.closed) {
            const closes = station.metrics
              .render()
              .split('\n')
              .filter((l) => l.startsWith('dim_transport_closes_total'));
            throw new Error(`an authenticated connection was closed (seed ${SEED}): ${closes.join('; ')}`);
          }
          via.sendRaw(typeof frame === 'string' ? encoder.encode(frame) : frame);
        }
        sent++;
        // Let the station keep up (and keep the client's inbox small).
        if (i % 100 === 99) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          author.inbox.length = 0;
          authorMtp.inbox.length = 0;
        }
      }
      expect(sent).toBe(ITERATIONS);

      // Everything queued on the authenticated connection was processed: a marker comes back after it.
      for (const via of [author, authorMtp]) {
        via.station ??= author.station;
        via.sendToStation(createAnsCommand({ names: 'marker' }));
        await via.nextFromStation((c) => c['command'] === 'ans' && (c['names'] as string) === 'marker', 60_000);
      }
      await fresh?.close();
      await Promise.all([author.close(), authorMtp.close()]);

      // Others are served as before.
      const a = await login(port, 'dave');
      const b = await login(port, 'erin', 'mtp');
      a.addContact(contactOf(b.identity));
      b.addContact(contactOf(a.identity));
      const message = a.sendContent(b.me, createTextContent('after the storm'));
      expect((await b.nextFrom(a.me)).raw).toEqual(message.bytes);
      await Promise.all([a.close(), b.close()]);

      const metrics = station.metrics.render();
      expect(metrics).not.toMatch(/reason="internal.error"/);
      expect(errors, `seed ${SEED}`).toEqual([]);
    },
    Math.max(120_000, ITERATIONS * 3),
  );
});
