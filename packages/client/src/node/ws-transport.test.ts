import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransportHandlers } from '../core/transport.js';
import { webSocketTransport } from './ws-transport.js';

interface Recorder extends TransportHandlers {
  readonly events: string[];
  readonly payloads: { text: string; ack: () => void }[];
}

function recorder(): Recorder {
  const events: string[] = [];
  const payloads: { text: string; ack: () => void }[] = [];
  return {
    events,
    payloads,
    onOpen: () => events.push('open'),
    onPayload: (text, ack) => {
      events.push('payload');
      payloads.push({ text, ack });
    },
    onHeartbeat: () => events.push('heartbeat'),
    onClose: (reason) => events.push(`close:${reason}`),
  };
}

async function until(predicate: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

let server: WebSocketServer | undefined;
afterEach(async () => {
  for (const client of server?.clients ?? []) client.terminate();
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

async function listen(): Promise<{ port: number; peer: Promise<WebSocket>; received: string[] }> {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => server!.once('listening', r));
  const received: string[] = [];
  const peer = new Promise<WebSocket>((resolve) =>
    server!.once('connection', (ws) => {
      ws.on('message', (data) => received.push(data.toString()));
      resolve(ws);
    }),
  );
  return { port: (server.address() as AddressInfo).port, peer, received };
}

describe('webSocketTransport (station spec §1.3, §1.7)', () => {
  it('sends payloads and PING as text frames, and ACKs a payload once it is processed', async () => {
    const { port, peer, received } = await listen();
    const handlers = recorder();
    const conn = webSocketTransport(`ws://127.0.0.1:${port}/`).connect(handlers);
    const ws = await peer;
    await until(() => handlers.events.includes('open'));
    expect(conn.send('{"hello":1}')).toBe(true);
    conn.ping();
    await until(() => received.length === 2);
    expect(received).toEqual(['{"hello":1}', 'PING']);

    ws.send('{"sender":"a","time":12.5,"data":"d","signature":"SIG"}');
    await until(() => handlers.payloads.length === 1);
    expect(received).toHaveLength(2); // nothing acknowledged before processing
    handlers.payloads[0]!.ack();
    handlers.payloads[0]!.ack(); // once only
    await until(() => received.length === 3);
    await new Promise((r) => setTimeout(r, 30));
    expect(received.slice(2)).toEqual(['ACK:{"time":12.5,"signature":"SIG"}']);
    conn.close();
    await until(() => handlers.events.some((e) => e.startsWith('close:')));
    expect(handlers.events.filter((e) => e.startsWith('close:'))).toHaveLength(1);
  });

  it('treats PONG, NOOP, OK as heartbeats and answers a PING', async () => {
    const { port, peer, received } = await listen();
    const handlers = recorder();
    webSocketTransport(`ws://127.0.0.1:${port}/`).connect(handlers);
    const ws = await peer;
    for (const word of ['PONG', 'NOOP', 'OK', 'PING']) ws.send(word);
    await until(() => handlers.events.filter((e) => e === 'heartbeat').length === 4);
    await until(() => received.includes('PONG'));
    expect(handlers.payloads).toHaveLength(0);
  });

  it('reports a refused connection as a close', async () => {
    const { port } = await listen();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const handlers = recorder();
    webSocketTransport(`ws://127.0.0.1:${port}/`).connect(handlers);
    await until(() => handlers.events.some((e) => e.startsWith('close:')));
    expect(handlers.events).not.toContain('open');
  });

  it('reports the station closing the link', async () => {
    const { port, peer } = await listen();
    const handlers = recorder();
    webSocketTransport(`ws://127.0.0.1:${port}/`).connect(handlers);
    (await peer).close();
    await until(() => handlers.events.some((e) => e.startsWith('close:')));
  });

  it('refuses a URL that is not ws:// or wss:// (a caller bug)', () => {
    expect(() => webSocketTransport('tcp://127.0.0.1:1')).toThrow(RangeError);
    expect(webSocketTransport('wss://example.org/').port).toBe(443);
  });
});
