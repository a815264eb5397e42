import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlockCommand, createTextContent, isArrayContent, type Content } from '@dimkit/protocol/content';
import { readVector } from '../../../test/fixtures/vectors.js';
import { DimTestClient, type Opened } from '../../../test/helpers/dim-client.js';
import { contactOf, eventually, login, startStation, user, type TestStation } from './_harness.js';

const robotId = (): string => user('robot').id.text;

function text(content: Content): string {
  return String(content['text']);
}

/** Everyone knows everyone (as after the visa pushes of a real client). */
function befriend(...clients: DimTestClient[]): void {
  for (const a of clients) for (const b of clients) if (a !== b) a.addContact(contactOf(b.identity));
}

function originOf(receipt: Opened): Record<string, unknown> {
  return receipt.content['origin'] as Record<string, unknown>;
}

describe('relay and delivery (station spec §3, §3.1, §3.2)', () => {
  let s: TestStation;
  beforeAll(async () => {
    s = await startStation({ config: { ans: { archivist: robotId() } } });
  });
  afterAll(async () => {
    await s.stop();
  });

  it('delivers online both ways as the original bytes, and receipts "Message delivered." to the sender', async () => {
    const alice = await login(s.port, 'alice', 'ws');
    const bob = await login(s.port, 'bob', 'mtp');
    befriend(alice, bob);
    try {
      const sent = alice.sendContent(bob.me, createTextContent('hello bob'));
      const got = await bob.nextFrom(alice.me);
      expect(got.raw).toEqual(sent.bytes);
      expect(text(got.content)).toBe('hello bob');
      const receipt = await alice.nextReceipt('Message delivered.');
      expect(receipt.content['recipient']).toBe(bob.me);
      expect(originOf(receipt)['signature']).toBe(sent.message.signature);
      expect(originOf(receipt)['data']).toBeUndefined();
      // What a reference client reads (wire spec §6.3, §7 item 5): origin + envelope + top-level copies.
      const wire = alice.wireContent(receipt);
      expect(wire['cmd']).toBe('receipt');
      expect(wire['command']).toBe('receipt');
      expect(wire['type']).toBe(136);
      expect(wire['envelope']).toEqual(wire['origin']);
      expect(wire['sender']).toBe(alice.me);
      expect(wire['receiver']).toBe(bob.me);
      expect(wire['signature']).toBe(sent.message.signature);
      expect(wire['recipient']).toBe(bob.me);

      const back = bob.sendContent(alice.me, createTextContent('hello alice'));
      const gotBack = await alice.nextFrom(bob.me);
      expect(gotBack.raw).toEqual(back.bytes);
      expect(text(gotBack.content)).toBe('hello alice');
      expect((await bob.nextReceipt('Message delivered.')).content['recipient']).toBe(alice.me);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('answers a burst of messages with every receipt, in a few signed messages (receipt pacing)', async () => {
    const alice = await login(s.port, 'alice', 'ws');
    const bob = await login(s.port, 'bob', 'ws');
    befriend(alice, bob);
    try {
      const sent = Array.from({ length: 40 }, (_, i) => alice.sendContent(bob.me, createTextContent(`burst ${i}`)));
      for (let i = 0; i < sent.length; i++) await bob.nextFrom(alice.me);
      const unreceipted = new Set(sent.map((m) => m.message.signature));
      let signedMessages = 0;
      while (unreceipted.size > 0) {
        const incoming = await alice.next((m) => m.message.sender === s.station.identity.id.text, 5000);
        signedMessages++;
        const { content } = alice.open(incoming);
        const receipts = isArrayContent(content) ? content.contents : [content];
        for (const receipt of receipts) {
          expect(receipt['text']).toBe('Message delivered.');
          const signature = (receipt['origin'] as Record<string, unknown>)['signature'] as string;
          expect(unreceipted.delete(signature)).toBe(true);
        }
      }
      // The default pacing: 4 signed receipt messages at once, then one per 250 ms.
      expect(signedMessages).toBeLessThan(sent.length / 4);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  it('sends the receipts that wait for their pacing token before a shutdown closes the connection', async () => {
    const paced = await startStation({ config: { session: { receiptIntervalMs: 60_000, receiptBurst: 1 } } });
    const alice = await login(paced.port, 'alice', 'ws');
    const bob = await login(paced.port, 'bob', 'mtp');
    befriend(alice, bob);
    try {
      const first = alice.sendContent(bob.me, createTextContent('one'));
      await bob.nextFrom(alice.me);
      expect(originOf(await alice.nextReceipt('Message delivered.'))['signature']).toBe(first.message.signature);
      // The bucket is empty for a minute: the next receipt waits, until the station stops.
      const second = alice.sendContent(bob.me, createTextContent('two'));
      await bob.nextFrom(alice.me);
      await expect(alice.nextReceipt('Message delivered.', 300)).rejects.toThrow();
      await paced.stop();
      expect(originOf(await alice.nextReceipt('Message delivered.'))['signature']).toBe(second.message.signature);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
      await paced.stop();
    }
  });

  it('pushes to every device of the receiver', async () => {
    const alice = await login(s.port, 'alice');
    const dave1 = await login(s.port, 'dave', 'ws');
    const dave2 = await login(s.port, 'dave', 'mtp');
    befriend(alice, dave1, dave2);
    try {
      const sent = alice.sendContent(dave1.me, createTextContent('to both'));
      expect((await dave1.nextFrom(alice.me)).raw).toEqual(sent.bytes);
      expect((await dave2.nextFrom(alice.me)).raw).toEqual(sent.bytes);
      await alice.nextReceipt('Message delivered.');
    } finally {
      await Promise.all([alice.close(), dave1.close(), dave2.close()]);
    }
  });

  it('keeps messages for an offline user ("Message cached.") and delivers them in order, once, at login', async () => {
    const alice = await login(s.port, 'alice');
    const carol = user('carol');
    alice.addContact(contactOf(carol));
    const sent: Uint8Array[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        sent.push(alice.sendContent(carol.id.text, createTextContent(`offline ${i}`)).bytes);
        await alice.nextReceipt('Message cached.');
      }
      expect(await s.station.router.presence.has(carol.id.text)).toBe(false);
      const client = await login(s.port, carol);
      try {
        client.addContact(contactOf(alice.identity));
        for (let i = 0; i < 5; i++) {
          const got = await client.nextFrom(alice.me);
          expect(got.raw).toEqual(sent[i]);
          expect(text(got.content)).toBe(`offline ${i}`);
        }
        // Acknowledged items leave the inbox; nothing is delivered twice.
        await eventually(async () => (await countInbox(s, carol.id.text)) === 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(client.inbox.filter((m) => m.message.sender === alice.me)).toHaveLength(0);
      } finally {
        await client.close();
      }
    } finally {
      await alice.close();
    }
  });

  it('keeps an item whose push was not acknowledged (the receiver vanished) and delivers it next time', async () => {
    const alice = await login(s.port, 'alice');
    const erin = await login(s.port, 'erin', 'mtp');
    befriend(alice, erin);
    erin.ackEnabled = false;
    try {
      // The transport waits for the acknowledgement; erin disappears without giving it.
      const sent = alice.sendContent(erin.me, createTextContent('are you there?'));
      await erin.next((m) => m.message.sender === alice.me);
      erin.destroy();
      await alice.nextReceipt('Message cached.');
      const again = await login(s.port, 'erin', 'ws');
      again.addContact(contactOf(alice.identity));
      try {
        expect((await again.nextFrom(alice.me)).raw).toEqual(sent.bytes);
      } finally {
        await again.close();
      }
    } finally {
      await alice.close();
    }
  });

  it('delivers messages to name@anywhere to the bot the ANS record names', async () => {
    const alice = await login(s.port, 'alice');
    const robot = await login(s.port, 'robot', 'mtp');
    robot.addContact(contactOf(alice.identity));
    try {
      const sent = alice.sendContent('archivist@anywhere', createTextContent('search me'));
      const got = await robot.next((m) => m.message.sender === alice.me);
      expect(got.raw).toEqual(sent.bytes);
      expect(got.message.receiver).toBe('archivist@anywhere');
    } finally {
      await Promise.all([alice.close(), robot.close()]);
    }
  });

  it('refuses a sender other than the session user, a group receiver and an unknown bot name, with receipts', async () => {
    const alice = await login(s.port, 'alice');
    const bob = await login(s.port, 'bob');
    befriend(alice, bob);
    try {
      // alice's connection relays a message really signed by carol (a replay): refused, bob never sees it.
      const carolSigned = alice.seal(bob.me, createTextContent('spoofed'), { signer: user('carol') });
      alice.send(carolSigned);
      const refused = await alice.nextReceipt('Sender not allowed.');
      expect(originOf(refused)['sender']).toBe(user('carol').id.text);

      const group = readVector<{ id: string }>('groups/group1.json').id;
      const personal = alice.seal(bob.me, createTextContent('to the group'));
      alice.send({ ...personal, receiver: group });
      expect(originOf(await alice.nextReceipt('Group message not allow for this station'))['receiver']).toBe(group);

      alice.sendContent('nobody@anywhere', createTextContent('hello?'));
      await alice.nextReceipt('Receiver not found.');

      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(bob.inbox.filter((m) => m.message.sender !== bob.station?.id.text)).toHaveLength(0);
      const metrics = s.station.metrics.render();
      expect(metrics).toMatch(/dim_station_refusals_total\{reason="session.sender"\} [1-9]/);
      expect(metrics).toMatch(/dim_station_refusals_total\{reason="receiver.group"\} [1-9]/);
      expect(metrics).toMatch(/dim_station_refusals_total\{reason="receiver.unknown"\} [1-9]/);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  it('drops messages from a blocked sender with "Message is blocked by …"', async () => {
    const dave = await login(s.port, 'dave');
    const bob = await login(s.port, 'bob');
    befriend(dave, bob);
    try {
      dave.sendToStation(createBlockCommand({ list: [bob.me] }));
      await dave.nextReceipt('Block received.');
      bob.sendContent(dave.me, createTextContent('let me in'));
      const receipt = await bob.nextFromStation((c) => String(c['text']).startsWith('Message is blocked by'));
      expect(receipt.content['text']).toBe('Message is blocked by "Dave"');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(dave.inbox.filter((m) => m.message.sender === bob.me)).toHaveLength(0);
      dave.sendToStation(createBlockCommand({ list: [] }));
      await dave.nextReceipt('Block received.');
    } finally {
      await Promise.all([dave.close(), bob.close()]);
    }
  });

  it('suspends messages sent before the handshake and relays them after DIM!', async () => {
    const bob = await login(s.port, 'bob');
    const alice = await DimTestClient.connect({ port: s.port, identity: user('alice') });
    alice.addContact(contactOf(bob.identity));
    bob.addContact(contactOf(alice.identity));
    try {
      const early = alice.sendContent(bob.me, createTextContent('too early'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(bob.inbox.filter((m) => m.message.sender === alice.me)).toHaveLength(0);
      await alice.handshake();
      expect((await bob.nextFrom(alice.me)).raw).toEqual(early.bytes);
      await alice.nextReceipt('Message delivered.');
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });
});

async function countInbox(s: TestStation, id: string): Promise<number> {
  const { SqliteStore } = await import('../src/store/index.js');
  const { join } = await import('node:path');
  const store = new SqliteStore(join(s.dataDir, 'station.db'));
  try {
    return await store.inbox.count(id);
  } finally {
    await store.close();
  }
}

describe('flow control under load', () => {
  it('lets clients that blast each other all get through, in order, exactly once (no pause deadlock)', async () => {
    // Tiny windows so that every limit is hit: a sender waits on inbox writes only, never on a peer's ACKs.
    const s = await startStation({
      config: { session: { maxInFlight: 4, maxQueued: 8 }, inbox: { liveWindow: 8, drainWindow: 4 } },
    });
    const names = ['alice', 'bob', 'carol', 'dave'];
    const clients = await Promise.all(names.map((name, i) => login(s.port, name, i % 2 === 0 ? 'ws' : 'mtp')));
    befriend(...clients);
    try {
      const N = 150;
      const sent = clients.map((client, i) => {
        const to = clients[(i + 1) % clients.length]!;
        return Array.from({ length: N }, (_, k) => client.seal(to.me, createTextContent(`${k}`)));
      });
      clients.forEach((client, i) => sent[i]!.forEach((message) => client.send(message)));
      await Promise.all(
        clients.map(async (client, i) => {
          const from = clients[(i + clients.length - 1) % clients.length]!;
          const expected = sent[(i + clients.length - 1) % clients.length]!.map((m) => m.signature);
          const got: string[] = [];
          for (let k = 0; k < N; k++)
            got.push((await client.next((m) => m.message.sender === from.me, 20_000)).message.signature);
          expect(got).toEqual(expected);
        }),
      );
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await s.stop();
    }
  }, 60_000);
});
