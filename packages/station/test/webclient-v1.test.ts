// Replays the frames two real reference web clients (demo-web Dimples v1.0) sent to a station
// (test/fixtures/vectors/webclient-v1), against a dimkit station holding that station's identity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandshakeCommand, HandshakeTitle, type HandshakeCommand } from '@dimkit/protocol/content';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { readVector } from '../../../test/fixtures/vectors.js';
import { DimTestClient } from '../../../test/helpers/dim-client.js';
import { contactOf, startStation, user, type TestStation } from './_harness.js';

interface Frame {
  readonly from: string;
  readonly reader: string;
  readonly wire: string;
  readonly expect: { readonly ok: boolean; readonly content: JsonObject };
}

const frames = readVector<{ frames: Frame[] }>('webclient-v1/frames.json').frames;
const stationFile = readVector<JsonObject>('webclient-v1/station.json');
const encoder = new TextEncoder();

/** The handshake a v1 web client makes: its own first frame, then (our session key) the second. */
async function webHandshake(client: DimTestClient, first: Frame, stale: Frame): Promise<void> {
  client.sendRaw(first.wire);
  const again = await client.nextFromStation();
  expect((again.content as HandshakeCommand).title).toBe('DIM?');
  expect(again.message.sender).toBe(stationFile['id']);
  expect(again.message.meta).toBeDefined();
  const key = (again.content as HandshakeCommand).session!;
  client.station = { ...contactOf(user('webclient-v1/station.json')) };
  // The client's recorded second handshake carries the session key of the station it was recorded against.
  client.sendRaw(stale.wire);
  const stillAsking = await client.nextFromStation();
  expect((stillAsking.content as HandshakeCommand).title).toBe('DIM?');
  expect((stillAsking.content as HandshakeCommand).session).toBe(key);
  client.sendToStation(createHandshakeCommand({ title: HandshakeTitle.HELLO, session: key }));
  expect(((await client.nextFromStation()).content as HandshakeCommand).title).toBe('DIM!');
}

describe('a reference web client (demo-web v1 frames) against a dimkit station', () => {
  let s: TestStation;
  beforeAll(async () => {
    s = await startStation({ identity: stationFile });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('handshakes, pushes visas, logs in, and exchanges messages that arrive byte for byte (online and offline)', async () => {
    expect(s.station.identity.id.text).toBe(stationFile['id']);
    const bob = await DimTestClient.connect({ port: s.port, identity: user('bob') });
    const alice = await DimTestClient.connect({ port: s.port, identity: user('alice') });
    bob.addContact(contactOf(user('alice')));
    alice.addContact(contactOf(user('bob')));
    try {
      await webHandshake(bob, frames[0]!, frames[1]!);

      // 2: bob → alice (documents), alice is not connected yet: cached.
      bob.sendRaw(frames[2]!.wire);
      await bob.nextReceipt('Message cached.');
      // 3: bob's visa to everyone@everywhere: the station already has it from the handshake.
      bob.sendRaw(frames[3]!.wire);
      await bob.nextFromStation((c) => c['text'] === 'Document not changed.' || c['text'] === 'Document received.');
      // 4: login broadcast naming this station (its recorded ID): stored, "Login received."
      bob.sendRaw(frames[4]!.wire);
      await bob.nextReceipt('Login received.');
      // 5: bob → alice (text), still cached.
      bob.sendRaw(frames[5]!.wire);
      await bob.nextReceipt('Message cached.');

      await webHandshake(alice, frames[6]!, frames[7]!);
      // The inbox arrives in order, as the exact bytes bob's client wrote.
      const offline2 = await alice.next((m) => m.message.sender === user('bob').id.text);
      expect(offline2.raw).toEqual(encoder.encode(frames[2]!.wire));
      const offline5 = await alice.next((m) => m.message.sender === user('bob').id.text);
      expect(offline5.raw).toEqual(encoder.encode(frames[5]!.wire));
      expect(alice.open(offline5).content['text']).toBe(frames[5]!.expect.content['text']);

      for (const i of [8, 9, 10, 11]) alice.sendRaw(frames[i]!.wire);
      expect((await bob.next((m) => m.message.sender === alice.me)).raw).toEqual(encoder.encode(frames[8]!.wire));
      const text = await bob.next((m) => m.message.sender === alice.me);
      expect(text.raw).toEqual(encoder.encode(frames[11]!.wire));
      expect(bob.open(text).content['text']).toBe('hello bob, from the v1 web client');
      await alice.nextReceipt('Login received.');

      for (const i of [12, 13]) bob.sendRaw(frames[i]!.wire);
      for (const i of [12, 13]) {
        const receipt = await alice.next((m) => m.message.sender === bob.me);
        expect(receipt.raw).toEqual(encoder.encode(frames[i]!.wire));
      }
      expect(bob.inbox.filter((m) => m.message.sender === alice.me)).toHaveLength(0);
    } finally {
      await Promise.all([bob.close(), alice.close()]);
    }
  });
});
