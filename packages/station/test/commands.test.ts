import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeBackend } from '@dimkit/crypto-node';
import {
  createAnsCommand,
  createBlockCommand,
  createCommand,
  createDocumentsCommand,
  createLoginCommand,
  createMetaCommand,
  createMuteCommand,
  createReportCommand,
  createTextContent,
} from '@dimkit/protocol/content';
import type { JsonObject } from '@dimkit/protocol/encoding';
import {
  checkMeta,
  documentToDict,
  metaToDict,
  parseDocument,
  parseMeta,
  signDocument,
  verifyDocument,
} from '@dimkit/protocol/mkm';
import { readVector } from '../../../test/fixtures/vectors.js';
import { contactOf, eventually, login, startStation, user, type TestStation } from './_harness.js';
import { SqliteStore } from '../src/store/index.js';
import { join } from 'node:path';

describe('station commands (station spec §4 items 1–4, §2.3, §2.4)', () => {
  let s: TestStation;
  beforeAll(async () => {
    s = await startStation({ config: { ans: { archivist: user('robot').id.text } } });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('lets a second client fetch the meta and visa a first client brought at its handshake', async () => {
    const alice = user('alice');
    const first = await login(s.port, alice);
    await first.close();
    const bob = await login(s.port, 'bob');
    try {
      // Reference web clients send queries to station@anywhere (station spec §4 item 2).
      bob.sendContent('station@anywhere', createMetaCommand({ did: alice.id.text }));
      const meta = await bob.nextFromStation((c) => c['command'] === 'meta');
      const parsed = parseMeta(meta.content['meta'], nodeBackend);
      checkMeta(parsed, alice.id);
      const metaWire = bob.wireContent(meta);
      expect(metaWire['ID']).toBe(alice.id.text);
      expect(metaWire['did']).toBe(alice.id.text);
      expect((metaWire['meta'] as JsonObject)['version']).toBe(1);

      bob.sendContent('station@anywhere', createDocumentsCommand({ did: alice.id.text }));
      const docs = await bob.nextFromStation((c) => c['command'] === 'documents');
      const documents = docs.content['documents'] as JsonObject[];
      expect(documents).toHaveLength(1);
      const visa = parseDocument(documents[0]);
      expect(visa.data).toBe(alice.visa!.data);
      expect(verifyDocument(visa, parsed)).toBe(true);
      // The legacy shape deployed clients read (wire spec §6.2): cmd "document", a single `document`, ID + did.
      const wire = bob.wireContent(docs);
      expect(wire['cmd']).toBe('document');
      expect(wire['command']).toBe('document');
      expect(wire['documents']).toBeUndefined();
      expect((wire['document'] as JsonObject)['ID']).toBe(alice.id.text);
      expect(wire['ID']).toBe(alice.id.text);
      expect(wire['meta']).toBeDefined();

      // Nothing newer than what the asker has: "Document not updated."
      const time = Number(visa.properties['time']);
      bob.sendContent('station@anywhere', createDocumentsCommand({ did: alice.id.text, last_time: time }));
      const notUpdated = await bob.nextReceipt('Document not updated.');
      expect(notUpdated.content['replacements']).toEqual({ did: alice.id.text, time });

      bob.sendToStation(createMetaCommand({ did: user('gate').id.text }));
      const notFound = await bob.nextReceipt('Meta not found.');
      expect(notFound.content['template']).toBe('Meta not found: ${did}.');
      bob.sendToStation(createDocumentsCommand({ did: user('gate').id.text }));
      await bob.nextReceipt('Document not found.');
    } finally {
      await bob.close();
    }
  });

  it('accepts a valid meta upload and refuses one that does not match its ID', async () => {
    const bob = await login(s.port, 'bob');
    try {
      const gate = user('gate');
      bob.sendToStation(createMetaCommand({ did: gate.id.text, meta: metaToDict(gate.meta) }));
      const ok = await bob.nextReceipt('Meta received.');
      expect(ok.content['replacements']).toEqual({ did: gate.id.text });

      // dave's meta filed under alice's ID: the address does not derive from it.
      const before = refusals('meta.mismatch');
      bob.sendToStation(createMetaCommand({ did: user('alice').id.text, meta: metaToDict(user('dave').meta) }));
      await bob.nextReceipt('Meta not valid.');
      bob.sendToStation(
        createMetaCommand({ did: user('robot').id.text, meta: { type: 1, key: { algorithm: 'RSA' } } }),
      );
      await bob.nextReceipt('Meta not valid.');
      expect(refusals('meta.mismatch')).toBe(before + 1);
      expect(refusals('meta.invalid')).toBeGreaterThanOrEqual(1);
      // The meta kept for alice is still hers.
      const kept = await s.station.router.contacts.get(user('alice').id.text);
      expect(kept === undefined || kept.meta.seed === 'alice').toBe(true);
    } finally {
      await bob.close();
    }
  });

  it('refuses a document whose signature does not verify, and keeps the newer of two valid ones', async () => {
    const bob = await login(s.port, 'bob');
    const carol = user('carol');
    try {
      const forged = { ...documentToDict(carol.visa!), data: carol.visa!.data.replace('"name":"', '"name":"Evil ') };
      const before = refusals('document.signature');
      bob.sendToStation(
        createDocumentsCommand({ did: carol.id.text, documents: [forged], meta: metaToDict(carol.meta) }),
      );
      await bob.nextReceipt('Document not accepted.');
      expect(refusals('document.signature')).toBe(before + 1);

      // bob re-signs his own visa: newer wins; the same again is "not changed"; an older one too.
      const me = user('bob');
      const newer = signDocument({ did: me.id, properties: { ...me.visa!.properties, name: 'Bob 2' } }, me.privateKey);
      bob.sendToStation(createDocumentsCommand({ did: me.id.text, documents: [documentToDict(newer)] }));
      await bob.nextReceipt('Document received.');
      bob.sendToStation(createDocumentsCommand({ did: me.id.text, documents: [documentToDict(newer)] }));
      await bob.nextReceipt('Document not changed.');
      bob.sendToStation(createDocumentsCommand({ did: me.id.text, documents: [documentToDict(me.visa!)] }));
      await bob.nextReceipt('Document not changed.');
      bob.sendToStation(createDocumentsCommand({ did: me.id.text }));
      const latest = await bob.nextFromStation((c) => c['command'] === 'documents');
      expect(parseDocument((latest.content['documents'] as JsonObject[])[0]).properties['name']).toBe('Bob 2');
    } finally {
      await bob.close();
    }
  });

  it('stores a group meta and bulletin pushed by its founder and serves them (station spec §3.3)', async () => {
    const group = readVector<{ id: string; meta: JsonObject; bulletin: JsonObject }>('groups/group1.json');
    const alice = await login(s.port, 'alice');
    const dave = await login(s.port, 'dave');
    try {
      alice.sendContent(
        'station@anywhere',
        createDocumentsCommand({ did: group.id, meta: group.meta, documents: [group.bulletin] }),
      );
      await alice.nextReceipt('Document received.');
      dave.sendContent('station@anywhere', createDocumentsCommand({ did: group.id }));
      const reply = await dave.nextFromStation((c) => c['command'] === 'documents');
      const bulletin = parseDocument((reply.content['documents'] as JsonObject[])[0]);
      expect(bulletin.type).toBe('bulletin');
      expect(verifyDocument(bulletin, parseMeta(reply.content['meta'], nodeBackend))).toBe(true);
    } finally {
      await Promise.all([alice.close(), dave.close()]);
    }
  });

  it('keeps block and mute lists and answers queries with them', async () => {
    const erin = await login(s.port, 'erin');
    try {
      erin.sendToStation(createMuteCommand({ list: [user('alice').id.text] }));
      await erin.nextReceipt('Mute received.');
      erin.sendToStation(createMuteCommand({ list: [user('alice').id.text] }));
      await erin.nextReceipt('Mute not changed.');
      erin.sendToStation(createMuteCommand());
      expect((await erin.nextFromStation((c) => c['command'] === 'mute')).content['list']).toEqual([
        user('alice').id.text,
      ]);
      erin.sendToStation(createBlockCommand());
      expect((await erin.nextFromStation((c) => c['command'] === 'block')).content['list']).toEqual([]);
    } finally {
      await erin.close();
    }
  });

  it('answers ans queries from its records', async () => {
    const alice = await login(s.port, 'alice');
    try {
      alice.sendToStation(createAnsCommand({ names: 'archivist nobody' }));
      const reply = await alice.nextFromStation((c) => c['command'] === 'ans');
      expect(reply.content['records']).toEqual({ archivist: user('robot').id.text });
      expect(reply.content['missed']).toEqual(['nobody']);
      alice.sendToStation(createAnsCommand({ names: '' }));
      await alice.nextReceipt('ANS command error.');
    } finally {
      await alice.close();
    }
  });

  it('stores login broadcasts (newer wins) and answers "Login received." when they name this station', async () => {
    const dave = await login(s.port, 'dave');
    try {
      const here = { did: s.station.identity.id.text, host: '127.0.0.1', port: s.port };
      dave.sendContent('everyone@everywhere', createLoginCommand({ did: dave.me, agent: 'test', station: here }));
      const receipt = await dave.nextReceipt('Login received.');
      expect(receipt.content['template']).toBe('Login command received: ${did}.');
      const record = await readLogin(dave.me);
      expect(record?.station).toBe(here.did);
      // A login naming another station is stored silently (roaming; no federation yet).
      const elsewhere = { did: user('gate').id.text, host: 'example.org', port: 9394 };
      dave.sendContent('everyone@everywhere', createLoginCommand({ did: dave.me, station: elsewhere }));
      await eventually(async () => (await readLogin(dave.me))?.station === elsewhere.did);
    } finally {
      await dave.close();
    }
  });

  it('holds messages for a user reported offline and delivers them on report online', async () => {
    const alice = await login(s.port, 'alice');
    const carol = await login(s.port, 'carol');
    alice.addContact(contactOf(carol.identity));
    carol.addContact(contactOf(alice.identity));
    try {
      carol.sendContent('station@anywhere', createReportCommand({ title: 'offline' }));
      await eventually(() => s.station.router.presence.active(carol.me).length === 0);
      const sent = alice.sendContent(carol.me, createTextContent('while away'));
      await alice.nextReceipt('Message cached.');
      carol.sendContent('station@anywhere', createReportCommand({ title: 'online' }));
      await carol.nextReceipt('Online received.');
      expect((await carol.nextFrom(alice.me)).raw).toEqual(sent.bytes);
      carol.sendToStation(createReportCommand({ title: 'sleeping' }));
      expect((await carol.nextReceipt('Command not support.')).content['replacements']).toEqual({ title: 'sleeping' });
    } finally {
      await Promise.all([alice.close(), carol.close()]);
    }
  });

  it('answers what it does not support, but not on broadcasts', async () => {
    const bob = await login(s.port, 'bob');
    try {
      bob.sendToStation(createCommand('storage', { title: 'contacts' }));
      const receipt = await bob.nextReceipt('Command not support.');
      expect(receipt.content['replacements']).toEqual({ command: 'storage' });
      bob.sendToStation(createTextContent('all users'));
      await bob.nextReceipt('Content not support.');
      bob.sendContent('everyone@everywhere', createCommand('storage'));
      bob.sendContent('everyone@everywhere', createTextContent('hello world'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(bob.inbox).toHaveLength(0);
    } finally {
      await bob.close();
    }
  });

  function refusals(reason: string): number {
    const match = new RegExp(`dim_station_refusals_total\\{reason="${reason.replace('.', '\\.')}"\\} (\\d+)`).exec(
      s.station.metrics.render(),
    );
    return match === null ? 0 : Number(match[1]);
  }

  async function readLogin(id: string) {
    const store = new SqliteStore(join(s.dataDir, 'station.db'));
    try {
      return await store.logins.get(id);
    } finally {
      await store.close();
    }
  }
});
