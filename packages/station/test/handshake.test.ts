import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandshakeCommand, HandshakeTitle, type HandshakeCommand } from '@dimkit/protocol/content';
import { EntityType, parseMeta, verifyDocument } from '@dimkit/protocol/mkm';
import { DimTestClient } from '../../../test/helpers/dim-client.js';
import { contactOf, startStation, user, type TestStation } from './_harness.js';

describe('handshake (station spec §2.2)', () => {
  let s: TestStation;
  beforeAll(async () => {
    s = await startStation();
  });
  afterAll(async () => {
    await s.stop();
  });

  for (const transport of ['ws', 'mtp'] as const) {
    for (const name of ['alice', 'bob', 'carol', 'erin']) {
      it(`${name} handshakes over ${transport}: DIM? with a 64-hex key and the station's meta and visa, then DIM!`, async () => {
        const client = await DimTestClient.connect({ port: s.port, transport, identity: user(name) });
        try {
          const result = await client.handshake();
          const again = result.again.content as HandshakeCommand;
          expect(again.title).toBe('DIM?');
          const wire = client.wireContent(result.again);
          expect(wire['message']).toBe('DIM?'); // legacy copy (wire spec §6.4)
          expect(wire['cmd']).toBe('handshake');
          expect(wire['command']).toBe('handshake');
          expect(result.session).toMatch(/^[0-9a-f]{64}$/);
          expect(again['remote_address']).toEqual(['127.0.0.1', expect.any(Number)]);
          // The first reply introduces the station: meta + visa attached, visa verifies, ID is a station.
          expect(result.again.message.meta).toBeDefined();
          expect(result.again.message.visa).toBeDefined();
          expect(result.station.id.type).toBe(EntityType.STATION);
          expect(result.station.id.text).toBe(s.station.identity.id.text);
          expect(verifyDocument(result.station.visa!, result.station.meta)).toBe(true);
          expect(result.station.visa!.properties['port']).toBe(s.port);
          // DIM? is encrypted for the user, not plain.
          expect(result.again.message.key ?? result.again.message.keys).toBeDefined();
          const success = result.success.content as HandshakeCommand;
          expect(success.title).toBe('DIM!');
          expect(success.session).toBe(result.session);
          expect(result.success.message.meta).toBeUndefined();
        } finally {
          await client.close();
        }
      });
    }
  }

  it('gives every connection its own session key; a key from another connection gets DIM? again', async () => {
    const a = await DimTestClient.connect({ port: s.port, identity: user('alice') });
    const b = await DimTestClient.connect({ port: s.port, transport: 'mtp', identity: user('alice') });
    try {
      const first = await a.handshake();
      b.send(b.seal('station@anywhere', createHandshakeCommand({ title: HandshakeTitle.HELLO }), { attach: true }));
      const again = await b.nextFromStation();
      const key = (again.content as HandshakeCommand).session!;
      expect(key).not.toBe(first.session);
      b.station = first.station;
      b.send(
        b.seal(first.station.id.text, createHandshakeCommand({ title: HandshakeTitle.HELLO, session: first.session })),
      );
      const reply = await b.nextFromStation();
      expect((reply.content as HandshakeCommand).title).toBe('DIM?');
      expect((reply.content as HandshakeCommand).session).toBe(key);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('answers a repeated handshake with the key on an accepted connection with DIM! again, and without the key with DIM?', async () => {
    const client = await DimTestClient.connect({ port: s.port, identity: user('dave') });
    try {
      const { station, session } = await client.handshake();
      client.sendToStation(createHandshakeCommand({ title: HandshakeTitle.HELLO, session }));
      const again = await client.nextFromStation();
      expect((again.content as HandshakeCommand).title).toBe('DIM!');
      expect(again.message.sender).toBe(station.id.text);
      client.sendToStation(createHandshakeCommand({ title: HandshakeTitle.HELLO }));
      const ask = await client.nextFromStation();
      expect((ask.content as HandshakeCommand).title).toBe('DIM?');
      expect((ask.content as HandshakeCommand).session).toBe(session);
    } finally {
      await client.close();
    }
  });

  it('stores the client meta learned from the first handshake (a second client may fetch it)', async () => {
    const client = await DimTestClient.login({ port: s.port, identity: user('carol') });
    await client.close();
    const stored = await s.station.router.contacts.get(user('carol').id.text);
    expect(stored).toBeDefined();
    expect(parseMeta(stored!.meta.dict).type).toBe(user('carol').meta.type);
    expect(stored!.document?.data).toBe(contactOf(user('carol')).visa!.data);
  });
});
