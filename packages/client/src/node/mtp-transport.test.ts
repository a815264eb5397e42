import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransportHandlers } from '../core/transport.js';
// The fake station decodes with the test helpers' own codec, not the one under test.
import { encodeMtp, MTP, MtpDecoder, type MtpPackage } from '../../../../test/helpers/mtp.js';
import { mtpTransport } from './mtp-transport.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function until(predicate: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

async function station(): Promise<{ port: number; socket: Promise<Socket>; received: MtpPackage[] }> {
  const received: MtpPackage[] = [];
  let accept!: (socket: Socket) => void;
  const socket = new Promise<Socket>((resolve) => (accept = resolve));
  server = createServer((s) => {
    sockets.add(s);
    const reader = new MtpDecoder();
    s.on('data', (chunk: Buffer) => received.push(...reader.push(chunk)));
    accept(s);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, socket, received };
}

function handlers() {
  const events: string[] = [];
  const payloads: { text: string; ack: () => void }[] = [];
  const h: TransportHandlers = {
    onOpen: () => events.push('open'),
    onPayload: (text, ack) => payloads.push({ text, ack }),
    onHeartbeat: () => events.push('heartbeat'),
    onClose: (reason) => events.push(`close:${reason}`),
  };
  return { h, events, payloads };
}

describe('mtpTransport (station spec §1.4)', () => {
  it('sends each message as a Message package with a fresh SN, and PING as a Command', async () => {
    const { port, received } = await station();
    const { h, events } = handlers();
    const conn = mtpTransport(`tcp://127.0.0.1:${port}`).connect(h);
    await until(() => events.includes('open'));
    conn.send('{"a":1}');
    conn.send('{"b":2}');
    conn.ping();
    await until(() => received.length === 3);
    expect(received.map((p) => [p.type, text(p.body)])).toEqual([
      [MTP.MESSAGE, '{"a":1}'],
      [MTP.MESSAGE, '{"b":2}'],
      [MTP.COMMAND, 'PING'],
    ]);
    expect(received[1]!.sn).toBe(received[0]!.sn! + 1n);
    conn.close();
  });

  it('answers a station Message with a Message-Response of the same SN once processed', async () => {
    const { port, socket, received } = await station();
    const { h, payloads } = handlers();
    mtpTransport(`mtp://127.0.0.1:${port}`).connect(h);
    const s = await socket;
    s.write(encodeMtp(MTP.MESSAGE, 77n, Buffer.from('{"signature":"x","time":1}')));
    await until(() => payloads.length === 1);
    expect(payloads[0]!.text).toBe('{"signature":"x","time":1}');
    await new Promise((r) => setTimeout(r, 20));
    expect(received).toHaveLength(0);
    payloads[0]!.ack();
    payloads[0]!.ack();
    await until(() => received.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(received.map((p) => [p.type, p.sn, text(p.body)])).toEqual([[MTP.MESSAGE_RESPONSE, 77n, 'OK']]);
  });

  it('answers a station PING command with PONG, and takes responses as heartbeats', async () => {
    const { port, socket, received } = await station();
    const { h, events } = handlers();
    mtpTransport(`tcp://127.0.0.1:${port}`).connect(h);
    const s = await socket;
    s.write(encodeMtp(MTP.COMMAND, 5n, Buffer.from('PING')));
    s.write(encodeMtp(MTP.COMMAND_RESPONSE, 6n, Buffer.from('PONG')));
    await until(() => received.length === 1 && events.filter((e) => e === 'heartbeat').length === 2);
    expect([received[0]!.type, received[0]!.sn, text(received[0]!.body)]).toEqual([MTP.COMMAND_RESPONSE, 5n, 'PONG']);
  });

  it('closes on a package over the size limit', async () => {
    const { port, socket } = await station();
    const { h, events } = handlers();
    mtpTransport(`tcp://127.0.0.1:${port}`, { maxPayloadBytes: 8 }).connect(h);
    (await socket).write(encodeMtp(MTP.MESSAGE, 1n, Buffer.alloc(9)));
    await until(() => events.some((e) => e.startsWith('close:protocol')));
  });

  it('needs tcp:// or mtp:// with a port (a caller bug)', () => {
    expect(() => mtpTransport('ws://127.0.0.1:1/')).toThrow(RangeError);
    expect(() => mtpTransport('tcp://127.0.0.1')).toThrow(RangeError);
  });
});
