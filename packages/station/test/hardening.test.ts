import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandshakeCommand, createTextContent, HandshakeTitle } from '@dimkit/protocol/content';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { documentToDict, metaToDict } from '@dimkit/protocol/mkm';
import { DimTestClient } from '../../../test/helpers/dim-client.js';
import { contactOf, eventually, login, startStation, user, type TestStation } from './_harness.js';

const stations: TestStation[] = [];

async function station(config: JsonObject = {}): Promise<TestStation> {
  const s = await startStation({ config });
  stations.push(s);
  return s;
}

afterEach(async () => {
  for (const s of stations.splice(0)) await s.stop();
});

function refusals(s: TestStation, reason: string): number {
  const match = new RegExp(`dim_station_refusals_total\\{reason="${reason.replace('.', '\\.')}"\\} (\\d+)`).exec(
    s.station.metrics.render(),
  );
  return match === null ? 0 : Number(match[1]);
}

/** Two bystanders (dave, erin) exchange a message: the station still serves others. */
async function stillServes(s: TestStation): Promise<void> {
  const alice = await login(s.port, 'dave');
  const bob = await login(s.port, 'erin', 'mtp');
  alice.addContact(contactOf(bob.identity));
  bob.addContact(contactOf(alice.identity));
  try {
    const sent = alice.sendContent(bob.me, createTextContent('still here'));
    expect((await bob.nextFrom(alice.me)).raw).toEqual(sent.bytes);
    await alice.nextReceipt('Message delivered.');
  } finally {
    await Promise.all([alice.close(), bob.close()]);
  }
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.on('error', reject);
  });
}

function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.resume();
  });
}

describe('handshake refusals (station spec §2.2, §7)', () => {
  it('closes a connection whose first handshake carries a forged signature, and counts it', async () => {
    const s = await station();
    const mallory = await DimTestClient.connect({ port: s.port, identity: user('alice') });
    const hello = mallory.seal('station@anywhere', createHandshakeCommand({ title: HandshakeTitle.HELLO }), {
      attach: true,
    });
    // The same handshake, signed by someone else (bob) over the same data: alice's key does not verify it.
    const other = mallory.seal('station@anywhere', createHandshakeCommand({ title: HandshakeTitle.HELLO }), {
      signer: user('dave'),
    });
    mallory.send({ ...hello, signature: other.signature });
    await mallory.closedPromise;
    expect(refusals(s, 'signature.invalid')).toBe(1);
    await stillServes(s);
  });

  it('closes a connection whose attached meta does not match the sender', async () => {
    const s = await station();
    const client = await DimTestClient.connect({ port: s.port, identity: user('alice') });
    const hello = client.seal('station@anywhere', createHandshakeCommand({ title: HandshakeTitle.HELLO }), {
      attach: true,
    });
    client.send({ ...hello, meta: metaToDict(user('dave').meta) });
    await client.closedPromise;
    expect(refusals(s, 'meta.mismatch')).toBe(1);
    // Nothing was stored for alice from that message.
    expect(await s.station.router.contacts.get(user('alice').id.text)).toBeUndefined();
  });

  it('closes a connection whose attached visa does not verify', async () => {
    const s = await station();
    const client = await DimTestClient.connect({ port: s.port, identity: user('bob') });
    const hello = client.seal('station@anywhere', createHandshakeCommand({ title: HandshakeTitle.HELLO }), {
      attach: true,
    });
    const visa = documentToDict(user('bob').visa!);
    client.send({ ...hello, visa: { ...visa, data: String(visa['data']).replace('Bob', 'Rob') } });
    await client.closedPromise;
    expect(refusals(s, 'document.signature')).toBe(1);
  });

  it('closes a connection from an unknown user who attached nothing', async () => {
    const s = await station();
    const client = await DimTestClient.connect({ port: s.port, identity: user('erin') });
    client.send(client.seal('station@anywhere', createHandshakeCommand({ title: HandshakeTitle.HELLO })));
    await client.closedPromise;
    expect(refusals(s, 'meta.missing')).toBe(1);
  });

  it('closes a connection that does not complete the handshake in time', async () => {
    const s = await station({ session: { handshakeTimeoutMs: 200 } });
    const client = await DimTestClient.connect({ port: s.port, identity: user('alice') });
    const started = Date.now();
    await client.closedPromise;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(refusals(s, 'handshake.timeout')).toBe(1);
  });

  it('refuses non-handshake messages past the suspend limit before the handshake', async () => {
    const s = await station({ session: { maxSuspended: 2 } });
    const client = await DimTestClient.connect({ port: s.port, identity: user('alice') });
    client.addContact(contactOf(user('bob')));
    for (let i = 0; i < 5; i++) client.sendContent(user('bob').id.text, createTextContent(`early ${i}`));
    await eventually(() => refusals(s, 'handshake.required') === 3);
    await client.close();
  });
});

describe('misbehaving peers do not disturb others', () => {
  it('drops a socket that sends garbage bytes', async () => {
    const s = await station({ transport: { firstBytesTimeoutMs: 1000, idleTimeoutMs: 2000 } });
    const socket = await rawSocket(s.port);
    socket.write(randomBytes(4096));
    expect(await closedWithin(socket, 3000)).toBe(true);
    await stillServes(s);
  });

  it('refuses invalid JSON and messages that are not DIM messages, keeping the connection', async () => {
    const s = await station();
    const alice = await login(s.port, 'alice');
    const bob = await login(s.port, 'bob');
    alice.addContact(contactOf(bob.identity));
    bob.addContact(contactOf(alice.identity));
    try {
      alice.sendRaw('{"sender": "alice", this is not json');
      alice.sendRaw('{"hello":"world"}');
      alice.sendRaw('[1,2,3]');
      alice.sendRaw('{"sender":"x","receiver":"y","time":1,"data":"","signature":""}');
      await eventually(() => refusals(s, 'message.format') === 4);
      const sent = alice.sendContent(bob.me, createTextContent('after the noise'));
      await alice.nextReceipt('Message delivered.');
      expect((await bob.nextFrom(alice.me)).raw).toEqual(sent.bytes);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
    }
  });

  it('closes a connection that keeps sending refused messages', async () => {
    const s = await station({ session: { maxRefusals: 5 } });
    const alice = await login(s.port, 'alice');
    for (let i = 0; i < 10; i++) alice.sendRaw(`{"bad": ${i}}`);
    await alice.closedPromise;
    await stillServes(s);
  });

  it('closes a WebSocket whose frame is larger than the limit, and an MTP stream that declares one', async () => {
    const s = await station({ transport: { maxPayloadBytes: 64 * 1024, maxUnsentBytes: 256 * 1024 } });
    const ws = await login(s.port, 'alice', 'ws');
    ws.sendRaw('{' + 'x'.repeat(100 * 1024) + '}');
    await ws.closedPromise;
    const socket = await rawSocket(s.port);
    const header = Buffer.from([0x44, 0x49, 0x4d, 0x42, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0, 0, 0]);
    socket.write(header);
    expect(await closedWithin(socket, 3000)).toBe(true);
    await stillServes(s);
  });

  it('closes a slow reader; what it did not acknowledge stays in its inbox and arrives later', async () => {
    const s = await station({
      transport: { maxPayloadBytes: 256 * 1024, maxUnsentBytes: 512 * 1024, ackTimeoutMs: 60_000 },
    });
    const alice = await login(s.port, 'alice');
    const slow = await login(s.port, 'bob', 'ws');
    alice.addContact(contactOf(slow.identity));
    slow.socket.pause();
    const big = 'x'.repeat(128 * 1024);
    const sent: string[] = [];
    try {
      for (let i = 0; i < 200 && !slow.socket.destroyed; i++) {
        sent.push(alice.sendContent(slow.me, createTextContent(`${i} ${big}`)).message.signature);
        if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await eventually(() => s.station.router.presence.active(slow.me).length === 0, 10_000);
      await stillServes(s);
      // Every message was either delivered (acknowledged: none here) or cached.
      for (let i = 0; i < sent.length; i++) await alice.nextReceipt('Message cached.', 20_000);
      slow.destroy();
      const again = await login(s.port, 'bob', 'mtp');
      again.addContact(contactOf(alice.identity));
      try {
        const got: string[] = [];
        for (let i = 0; i < sent.length; i++) got.push((await again.nextFrom(alice.me, 20_000)).message.signature);
        expect(got).toEqual(sent);
      } finally {
        await again.close();
      }
    } finally {
      await alice.close();
    }
  }, 60_000);

  it('times out a half-open connection: un-acknowledged messages fall back to the inbox', async () => {
    const s = await station({ transport: { firstBytesTimeoutMs: 300, idleTimeoutMs: 600, ackTimeoutMs: 400 } });
    const alice = await login(s.port, 'alice');
    const gone = await login(s.port, 'carol', 'mtp');
    alice.addContact(contactOf(gone.identity));
    // The peer vanished without a FIN: it neither reads, acknowledges nor sends.
    gone.ackEnabled = false;
    gone.socket.pause();
    const sent = alice.sendContent(gone.me, createTextContent('anyone?'));
    await alice.nextReceipt('Message cached.', 5000);
    await eventually(() => s.station.router.presence.has(gone.me) === false, 5000);
    gone.destroy();
    const back = await login(s.port, 'carol', 'ws');
    back.addContact(contactOf(alice.identity));
    try {
      expect((await back.nextFrom(alice.me)).raw).toEqual(sent.bytes);
    } finally {
      await Promise.all([alice.close(), back.close()]);
    }
  });
});
