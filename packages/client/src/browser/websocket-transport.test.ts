import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { TransportHandlers } from '../core/transport.js';
import { stationUrlForPage, WebSocketTransport, type WebSocketConstructor } from './websocket-transport.js';

let server: WebSocketServer | undefined;

afterEach(async () => {
  const s = server;
  server = undefined;
  if (s === undefined) return;
  for (const client of s.clients) client.terminate();
  await new Promise((resolve) => s.close(resolve));
});

/** A WebSocket server that hands each accepted socket and its received frames to the test. */
async function listen(): Promise<{ url: string; accepted: Promise<{ socket: ServerSocket; frames: string[] }> }> {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => server!.once('listening', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const accepted = new Promise<{ socket: ServerSocket; frames: string[] }>((resolve) =>
    server!.once('connection', (socket) => {
      const frames: string[] = [];
      socket.on('message', (data) => frames.push(String(data)));
      resolve({ socket, frames });
    }),
  );
  return { url, accepted };
}

interface Recorded {
  events: string[];
  payloads: { text: string; ack: () => void }[];
  handlers: TransportHandlers;
  closed: Promise<string>;
  opened: Promise<void>;
}

function record(): Recorded {
  const events: string[] = [];
  const payloads: { text: string; ack: () => void }[] = [];
  let onClosed!: (reason: string) => void;
  let onOpened!: () => void;
  const closed = new Promise<string>((resolve) => (onClosed = resolve));
  const opened = new Promise<void>((resolve) => (onOpened = resolve));
  return {
    events,
    payloads,
    closed,
    opened,
    handlers: {
      onOpen: () => {
        events.push('open');
        onOpened();
      },
      onPayload: (text, ack) => {
        events.push('payload');
        payloads.push({ text, ack });
      },
      onHeartbeat: () => events.push('heartbeat'),
      onClose: (reason) => {
        events.push(`close:${reason}`);
        onClosed(reason);
      },
    },
  };
}

const Ws = WebSocket as unknown as WebSocketConstructor;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('WebSocketTransport', () => {
  it('opens, sends payloads as text frames and pings as PING', async () => {
    const { url, accepted } = await listen();
    const rec = record();
    const transport = new WebSocketTransport(url, { WebSocket: Ws });
    expect(transport.host).toBe('127.0.0.1');
    const conn = transport.connect(rec.handlers);
    await rec.opened;
    const { frames } = await accepted;
    expect(conn.send('{"sender":"a"}')).toBe(true);
    conn.ping();
    await until(() => frames.length === 2);
    expect(frames).toEqual(['{"sender":"a"}', 'PING']);
    conn.close();
    expect(await rec.closed).toBe('closed');
    expect(conn.send('x')).toBe(false);
  });

  it('reports control words as heartbeats and DIM payloads with an ACK of their signature and time', async () => {
    const { url, accepted } = await listen();
    const rec = record();
    new WebSocketTransport(url, { WebSocket: Ws }).connect(rec.handlers);
    const { socket, frames } = await accepted;
    socket.send('PONG');
    socket.send('NOOP');
    socket.send('ACK:{"time":1,"signature":"x"}');
    const payload = '{"sender":"a@b","time":1700000000.5,"data":"x","signature":"c2ln"}';
    socket.send(Buffer.from(payload), { binary: true });
    await until(() => rec.payloads.length === 1);
    expect(rec.events).toEqual(['open', 'heartbeat', 'heartbeat', 'payload']);
    expect(rec.payloads[0]!.text).toBe(payload);
    expect(frames).toEqual([]);
    rec.payloads[0]!.ack();
    rec.payloads[0]!.ack();
    await until(() => frames.length === 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(frames).toEqual(['ACK:{"time":1700000000.5,"signature":"c2ln"}']);
  });

  it('reports the peer closing once, with its code', async () => {
    const { url, accepted } = await listen();
    const rec = record();
    const conn = new WebSocketTransport(url, { WebSocket: Ws }).connect(rec.handlers);
    const { socket } = await accepted;
    socket.close(1001, 'shutdown');
    expect(await rec.closed).toBe('closed.1001');
    conn.close();
    expect(rec.events.filter((e) => e.startsWith('close'))).toHaveLength(1);
  });

  it('reports a refused connection as a close, never a throw', async () => {
    const rec = record();
    new WebSocketTransport('ws://127.0.0.1:1/', { WebSocket: Ws }).connect(rec.handlers);
    expect(await rec.closed).toMatch(/^closed/);
    expect(rec.events).not.toContain('open');
  });

  it('gives up a socket that does not open in time', async () => {
    // A server that accepts TCP but never answers the upgrade.
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const rec = record();
      const port = (silent.address() as AddressInfo).port;
      new WebSocketTransport(`ws://127.0.0.1:${port}/`, { WebSocket: Ws, connectTimeoutMs: 50 }).connect(rec.handlers);
      expect(await rec.closed).toBe('connect.timeout');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('rejects URLs that are not ws: or wss:', () => {
    expect(() => new WebSocketTransport('http://localhost/', { WebSocket: Ws })).toThrow(TypeError);
    expect(new WebSocketTransport('wss://example.org/', { WebSocket: Ws }).port).toBe(443);
  });

  it('derives the station address from the page address', () => {
    expect(stationUrlForPage({ protocol: 'http:', host: 'localhost:9394' })).toBe('ws://localhost:9394/');
    expect(stationUrlForPage({ protocol: 'https:', host: 'chat.example.org' })).toBe('wss://chat.example.org/');
  });
});
