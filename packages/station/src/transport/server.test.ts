import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { healthHandler } from '../http/health.js';
import { metricsHandler } from '../http/metrics-endpoint.js';
import { HttpRouter } from '../http/router.js';
import { MetricsRegistry } from '../metrics/registry.js';
import type { Connection, ConnectionHandler } from './connection.js';
import { encodeMtpFrame, encodeMtpHeader, MtpDataType } from '@dimkit/protocol/mtp';
import type { MtpDataType as DataType } from '@dimkit/protocol/mtp';
import { MtpStreamParser } from '@dimkit/protocol/mtp';
import type { MtpFrame } from '@dimkit/protocol/mtp';
import { TransportServer } from './server.js';
import type { TransportServerOptions } from './server.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const vectors = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/vectors/webclient-v1/frames.json', import.meta.url), 'utf8'),
) as { frames: { wire: string }[] };
const wires = vectors.frames.map((f) => f.wire);

async function until<T>(fn: () => T | undefined | false, timeoutMs = 4000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** A connection handler that records everything the core would see. */
class Recorder implements ConnectionHandler {
  readonly opened: Connection[] = [];
  readonly payloads: { conn: Connection; text: string; bytes: Uint8Array }[] = [];
  readonly closes: { conn: Connection; reason: string }[] = [];
  onPayloadHook: ((conn: Connection, payload: Uint8Array) => void) | undefined;

  onOpen(conn: Connection): void {
    this.opened.push(conn);
  }
  onPayload(conn: Connection, payload: Uint8Array): void {
    this.payloads.push({ conn, text: text(payload), bytes: Uint8Array.from(payload) });
    this.onPayloadHook?.(conn, payload);
  }
  onClose(conn: Connection, reason: string): void {
    this.closes.push({ conn, reason });
  }
  textsOf(conn: Connection): string[] {
    return this.payloads.filter((p) => p.conn === conn).map((p) => p.text);
  }
  closeOf(conn: Connection): string | undefined {
    return this.closes.find((c) => c.conn === conn)?.reason;
  }
}

const servers: TransportServer[] = [];
const sockets: { destroy(): void }[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<TransportServerOptions> = {}) {
  const rec = new Recorder();
  const metrics = new MetricsRegistry();
  const server = new TransportServer({
    host: '127.0.0.1',
    port: 0,
    firstBytesTimeoutMs: 300,
    idleTimeoutMs: 5000,
    closeTimeoutMs: 300,
    ackTimeoutMs: 300,
    handler: rec,
    metrics,
    ...options,
  });
  servers.push(server);
  const { port } = await server.listen();
  return { server, port, rec, metrics };
}

interface WsClient {
  ws: WebSocket;
  received: { text: string; binary: boolean }[];
  closed: Promise<{ code: number }>;
}

async function wsClient(port: number, options: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WsClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, options);
  sockets.push({ destroy: () => ws.terminate() });
  const received: WsClient['received'] = [];
  ws.on('message', (data: Buffer, binary) =>
    received.push({ text: data.length > 4096 ? `<${data.length} bytes>` : data.toString('utf8'), binary }),
  );
  ws.on('error', () => {});
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, received, closed };
}

/** A raw TCP client speaking MTP with the encoder and stream parser under test. */
class MtpClient {
  readonly socket: Socket;
  readonly frames: MtpFrame[] = [];
  readonly closed: Promise<void>;
  readonly #parser = new MtpStreamParser({ maxBodyBytes: 1 << 24 }, (f) =>
    this.frames.push({ header: f.header, body: f.body.slice() }),
  );

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    sockets.push(this.socket);
    this.socket.on('data', (chunk) => this.#parser.push(chunk));
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.on('close', () => resolve()));
  }

  async ready(): Promise<this> {
    if (this.socket.connecting) await new Promise((resolve) => this.socket.once('connect', resolve));
    return this;
  }

  write(type: DataType, body: Uint8Array | string, sn?: bigint): void {
    this.socket.write(encodeMtpFrame({ type, sn }, typeof body === 'string' ? utf8(body) : body));
  }

  next(pred: (f: MtpFrame) => boolean): Promise<MtpFrame> {
    return until(() => this.frames.find(pred));
  }
}

/** Sends 64 KiB to each connection every couple of milliseconds (~30 MB/s each) until `done()`. */
async function pump(conns: Connection[], done: () => boolean, maxMs = 15_000): Promise<void> {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const end = Date.now() + maxMs;
  while (!done() && Date.now() < end) {
    for (const c of conns) if (!c.closed) void c.send(chunk);
    await sleep(2);
  }
}

function counter(metrics: MetricsRegistry, name: string, labels: Record<string, string>): number {
  const line = metrics
    .render()
    .split('\n')
    .find((l) => {
      if (!l.startsWith(`${name}{`)) return false;
      return Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`));
    });
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('TransportServer over WebSocket', () => {
  it('delivers text and binary frames to onPayload with the exact bytes', async () => {
    const { port, rec } = await start();
    const c = await wsClient(port);
    const conn = await until(() => rec.opened[0]);
    expect(conn.transport).toBe('ws');
    expect(conn.remoteAddress).toBe('127.0.0.1');
    expect(conn.remotePort).toBeGreaterThan(0);
    c.ws.send(wires[0]!);
    c.ws.send(utf8(wires[1]!));
    c.ws.send('binary? no: a non-JSON blob\nstays whole');
    await until(() => rec.payloads.length === 3);
    expect(rec.textsOf(conn)).toEqual([wires[0], wires[1], 'binary? no: a non-JSON blob\nstays whole']);
  });

  it('splits a payload starting with { on newlines (JSON in lines, §1.6)', async () => {
    const { port, rec } = await start();
    const c = await wsClient(port);
    c.ws.send(`${wires[2]}\n${wires[3]}\n`);
    await until(() => rec.payloads.length === 2);
    expect(rec.payloads.map((p) => p.text)).toEqual([wires[2], wires[3]]);
  });

  it('sends each payload as one text frame and resolves once written', async () => {
    const { port, rec } = await start();
    const c = await wsClient(port);
    const conn = await until(() => rec.opened[0]);
    await expect(conn.send(utf8(wires[4]!))).resolves.toBe(true);
    await expect(conn.send(utf8('{"second":true}'))).resolves.toBe(true);
    await until(() => c.received.length === 2);
    expect(c.received).toEqual([
      { text: wires[4], binary: false },
      { text: '{"second":true}', binary: false },
    ]);
  });

  it('answers app-level PING with PONG and keeps heartbeats, OK, empty frames and ACKs from the core', async () => {
    const { port, rec } = await start();
    const c = await wsClient(port);
    for (const word of ['PONG', 'NOOP', 'OK', '', 'ACK:{"time":1,"signature":"x"}', 'PING']) c.ws.send(word);
    await until(() => c.received.length === 1);
    expect(c.received[0]).toEqual({ text: 'PONG', binary: false });
    c.ws.send('{"after":1}');
    await until(() => rec.payloads.length === 1);
    expect(rec.payloads.map((p) => p.text)).toEqual(['{"after":1}']);
  });

  it('answers WebSocket-level pings', async () => {
    const { port } = await start();
    const c = await wsClient(port);
    const pong = new Promise((resolve) => c.ws.once('pong', resolve));
    c.ws.ping();
    await pong;
  });

  it('resolves send with ackKey on the matching ACK, and false without one', async () => {
    const { port, rec } = await start();
    const c = await wsClient(port);
    const conn = await until(() => rec.opened[0]);
    const message = { time: 1795541666.966, signature: 'MEQCIH06ZTn9Tnq0clgIgfJI04Cg+/==' };
    const acked = conn.send(utf8(JSON.stringify({ sender: 'a', ...message })), { ackKey: message.signature });
    const unacked = conn.send(utf8('{"time":1,"signature":"other"}'), { ackKey: 'other', ackTimeoutMs: 100 });
    await until(() => c.received.length === 2);
    c.ws.send(`ACK:${JSON.stringify(message)}`);
    await expect(acked).resolves.toBe(true);
    await expect(unacked).resolves.toBe(false);
    expect(rec.payloads).toEqual([]);
    expect(() => conn.send(utf8('{}'), { ackKey: 'k', ackTimeoutMs: 0 })).toThrow(RangeError);
  });

  it('matches the ACK a reference web client builds with its naive scan (nested visa signature first)', async () => {
    const { port, rec } = await start();
    const c = await wsClient(port);
    // What demo-web's AckEnablePorter answers: the first `signature` and `time` found by a substring scan.
    c.ws.on('message', (data: Buffer) => {
      const s = data.toString('utf8');
      const grab = (tag: string) => {
        let p = s.indexOf(':', s.indexOf(tag) + tag.length) + 1;
        let e = s.indexOf(',', p);
        if (e < 0) e = s.indexOf('}', p);
        let v = s.slice(p, e).trim();
        while (v.startsWith('"')) v = v.slice(1);
        while (v.endsWith('"')) v = v.slice(0, -1);
        p = 0;
        return v;
      };
      if (s.startsWith('{')) c.ws.send(`ACK:{"time":${grab('time')},"signature":"${grab('signature')}"}`);
    });
    const conn = await until(() => rec.opened[0]);
    for (const wire of [wires[0]!, wires[3]!]) {
      const own = (JSON.parse(wire) as { signature: string }).signature;
      await expect(conn.send(utf8(wire), { ackKey: own, ackTimeoutMs: 2000 })).resolves.toBe(true);
    }
  });

  it('resolves pending ACKs with false when the connection closes', async () => {
    const { port, rec } = await start({ ackTimeoutMs: 60_000 });
    const c = await wsClient(port);
    const conn = await until(() => rec.opened[0]);
    const pending = conn.send(utf8('{"signature":"abc"}'), { ackKey: 'abc' });
    c.ws.close();
    await expect(pending).resolves.toBe(false);
    expect(await until(() => rec.closeOf(conn))).toBe('peer.closed');
    await expect(conn.send(utf8('{}'))).resolves.toBe(false);
  });

  it('accepts an upgrade request whose headers arrive in several chunks, without Origin or subprotocol', async () => {
    const { port, rec } = await start();
    const s = connect(port, '127.0.0.1');
    sockets.push(s);
    let reply = '';
    s.on('data', (d) => (reply += d.toString('latin1')));
    s.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n');
    await sleep(30);
    s.write('Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n');
    await sleep(30);
    s.write('Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    await until(() => reply.includes('\r\n\r\n'));
    expect(reply).toMatch(/^HTTP\/1\.1 101 /);
    expect(reply).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    await until(() => rec.opened.length === 1);
  });

  it('closes a connection that sends a frame over maxPayloadBytes (1009, limit.payload), others unaffected', async () => {
    const { port, rec } = await start({ maxPayloadBytes: 1024 });
    const good = await wsClient(port);
    const bad = await wsClient(port);
    await until(() => rec.opened.length === 2);
    bad.ws.send('x'.repeat(1025));
    expect((await bad.closed).code).toBe(1009);
    const badConn = rec.opened[1]!;
    expect(await until(() => rec.closeOf(badConn))).toBe('limit.payload');
    good.ws.send('PING');
    await until(() => good.received.length === 1);
    expect(rec.closeOf(rec.opened[0]!)).toBeUndefined();
  });

  it('closes a client that does not read once its backlog would pass maxUnsentBytes (slow-reader)', async () => {
    const { port, rec } = await start({ maxPayloadBytes: 64 * 1024, maxUnsentBytes: 256 * 1024 });
    const reader = await wsClient(port);
    const slow = await wsClient(port);
    await until(() => rec.opened.length === 2);
    slow.ws.pause(); // stops reading its socket
    const [readerConn, slowConn] = rec.opened as [Connection, Connection];
    await pump([readerConn, slowConn], () => slowConn.closed);
    expect(rec.closeOf(slowConn)).toBe('slow-reader');
    expect(readerConn.closed).toBe(false);
    expect(reader.received.length).toBeGreaterThan(10);
    await expect(slowConn.send(new Uint8Array(1))).resolves.toBe(false);
    reader.ws.send('PING');
    await until(() => reader.received.some((m) => m.text === 'PONG'));
  });

  it('closes a connection that receives nothing for idleTimeoutMs (half-open peer)', async () => {
    const { port, rec } = await start({ idleTimeoutMs: 400 });
    const quiet = await wsClient(port);
    const chatty = await wsClient(port);
    await until(() => rec.opened.length === 2);
    const t0 = Date.now();
    const timer = setInterval(() => chatty.ws.send('PING'), 100);
    try {
      expect((await quiet.closed).code).toBe(1000);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
      expect(rec.closeOf(rec.opened[0]!)).toBe('idle');
      expect(rec.closeOf(rec.opened[1]!)).toBeUndefined();
    } finally {
      clearInterval(timer);
    }
  });

  it('stops reading while paused (idle timer suspended) and delivers after resume', async () => {
    const { port, rec } = await start({ idleTimeoutMs: 300, firstBytesTimeoutMs: 300 });
    const c = await wsClient(port);
    const conn = await until(() => rec.opened[0]);
    conn.pause();
    c.ws.send('{"n":1}');
    await sleep(500);
    expect(rec.payloads).toEqual([]);
    expect(conn.closed).toBe(false);
    conn.resume();
    await until(() => rec.payloads.length === 1);
  });

  it('closes the connection, not the server, when the handler throws', async () => {
    const { port, rec } = await start();
    rec.onPayloadHook = (_conn, payload) => {
      if (text(payload) === '{"boom":1}') throw new Error('core bug');
    };
    const bad = await wsClient(port);
    const good = await wsClient(port);
    await until(() => rec.opened.length === 2);
    bad.ws.send('{"boom":1}');
    expect((await bad.closed).code).toBe(1011);
    expect(rec.closeOf(rec.opened[0]!)).toBe('internal.error');
    good.ws.send('{"fine":1}');
    await until(() => rec.payloads.some((p) => p.text === '{"fine":1}'));
  });
});

describe('TransportServer over MTP', () => {
  it('answers each Message with a Message-Response (same SN, OK) and delivers the exact body', async () => {
    const { port, rec } = await start();
    const m = await new MtpClient(port).ready();
    m.write(MtpDataType.Message, wires[5]!, 0x1122334455667788n);
    const response = await m.next((f) => f.header.type === MtpDataType.MessageResponse);
    expect(response.header.sn).toBe(0x1122334455667788n);
    expect(text(response.body)).toBe('OK');
    const conn = await until(() => rec.opened[0]);
    expect(conn.transport).toBe('mtp');
    await until(() => rec.payloads.length === 1);
    expect(rec.payloads[0]!.bytes).toEqual(utf8(wires[5]!));
  });

  it('reassembles packages written one byte at a time', async () => {
    const { port, rec } = await start();
    const m = await new MtpClient(port).ready();
    const frame = encodeMtpFrame({ type: MtpDataType.Message, sn: 5n }, utf8(wires[6]!));
    for (const byte of frame) {
      m.socket.write(Uint8Array.of(byte));
      if (byte % 7 === 0) await sleep(1);
    }
    await until(() => rec.payloads.length === 1);
    expect(rec.payloads[0]!.text).toBe(wires[6]);
  });

  it('sends payloads as 0x42 Messages with a 16-byte header and fresh SNs, acknowledged by 0x43', async () => {
    const { port, rec } = await start();
    const m = await new MtpClient(port).ready();
    m.write(MtpDataType.Command, 'NOOP', 1n); // something to be recognised by
    const conn = await until(() => rec.opened[0]);
    const first = conn.send(utf8(wires[7]!), { ackKey: 'sig-1' });
    const second = conn.send(utf8('{"n":2}'), { ackKey: 'sig-2', ackTimeoutMs: 150 });
    const third = conn.send(utf8('{"n":3}'));
    await expect(third).resolves.toBe(true);
    const messages = await until(() => {
      const list = m.frames.filter((f) => f.header.type === MtpDataType.Message);
      return list.length === 3 ? list : undefined;
    });
    expect(messages.map((f) => f.header.headerLength)).toEqual([16, 16, 16]);
    expect(text(messages[0]!.body)).toBe(wires[7]);
    const sns = messages.map((f) => f.header.sn!);
    expect(new Set(sns).size).toBe(3);
    m.write(MtpDataType.MessageResponse, 'OK', sns[0]);
    m.write(MtpDataType.MessageResponse, 'AGAIN', sns[1]); // ignored, as the reference does
    await expect(first).resolves.toBe(true);
    await expect(second).resolves.toBe(false);
  });

  it('answers Command PING with Command-Response PONG and other commands with OK', async () => {
    const { port, rec } = await start();
    const m = await new MtpClient(port).ready();
    m.write(MtpDataType.Command, 'PING', 42n);
    m.write(MtpDataType.Command, 'HELLO', 43n);
    m.write(MtpDataType.Message, 'PING', 44n); // a heartbeat word in a Message: answered, not delivered
    const pong = await m.next((f) => f.header.sn === 42n);
    expect(pong.header.type).toBe(MtpDataType.CommandResponse);
    expect(text(pong.body)).toBe('PONG');
    const ok = await m.next((f) => f.header.sn === 43n);
    expect([ok.header.type, text(ok.body)]).toEqual([MtpDataType.CommandResponse, 'OK']);
    await m.next((f) => f.header.sn === 44n && f.header.type === MtpDataType.MessageResponse);
    expect(rec.payloads).toEqual([]);
  });

  it('rejects a declared body over maxPayloadBytes from the header alone (limit.payload)', async () => {
    const { port, rec, metrics } = await start({ maxPayloadBytes: 1024 });
    const other = await new MtpClient(port).ready();
    other.write(MtpDataType.Command, 'PING', 1n);
    await other.next((f) => f.header.sn === 1n);
    const m = await new MtpClient(port).ready();
    m.socket.write(encodeMtpHeader({ type: MtpDataType.Message, sn: 2n, bodyLength: 1025 }));
    await m.closed;
    expect(rec.closes.map((c) => c.reason)).toEqual(['limit.payload']);
    await until(
      () => counter(metrics, 'dim_transport_closes_total', { transport: 'mtp', reason: 'limit.payload' }) === 1,
    );
    other.write(MtpDataType.Command, 'PING', 3n);
    await other.next((f) => f.header.sn === 3n);
  });

  it('drops garbage between packages and gives up after maxGarbageBytes (protocol.mtp)', async () => {
    const { port, rec } = await start({ maxGarbageBytes: 100 });
    const m = await new MtpClient(port).ready();
    m.write(MtpDataType.Message, '{"a":1}', 1n);
    m.socket.write(utf8('junk junk junk'));
    m.write(MtpDataType.Message, '{"b":2}', 2n);
    await until(() => rec.payloads.length === 2);
    m.socket.write(new Uint8Array(101));
    await m.closed;
    expect(rec.closes.map((c) => c.reason)).toEqual(['protocol.mtp']);
  });

  it('closes an MTP client that never reads (slow-reader), not one that does', async () => {
    const { port, rec } = await start({ maxPayloadBytes: 64 * 1024, maxUnsentBytes: 256 * 1024 });
    const reader = await new MtpClient(port).ready();
    reader.write(MtpDataType.Command, 'NOOP', 1n);
    await until(() => rec.opened.length === 1);
    const slow = await new MtpClient(port).ready();
    slow.write(MtpDataType.Command, 'NOOP', 1n);
    await until(() => rec.opened.length === 2);
    slow.socket.pause();
    const [readerConn, slowConn] = rec.opened as [Connection, Connection];
    await pump([readerConn, slowConn], () => slowConn.closed);
    expect(rec.closeOf(slowConn)).toBe('slow-reader');
    expect(readerConn.closed).toBe(false);
  });

  it('closes an MTP connection idle for idleTimeoutMs', async () => {
    const { port, rec } = await start({ idleTimeoutMs: 300 });
    const m = await new MtpClient(port).ready();
    m.write(MtpDataType.Command, 'PING', 1n);
    await m.closed;
    expect(rec.closes.map((c) => c.reason)).toEqual(['idle']);
  });
});

describe('TransportServer: one port, limits and shutdown', () => {
  it('serves /healthz and /metrics over plain HTTP on the same port as WebSocket and MTP', async () => {
    const router = new HttpRouter();
    const { server, port, metrics } = await start();
    router.get(
      '/healthz',
      healthHandler(() => ({ connections: server.counts() })),
    );
    router.get('/metrics', metricsHandler(metrics));
    server.setRequestHandler(router.handle);
    const c = await wsClient(port);
    c.ws.send('PING');
    await until(() => c.received.length === 1);
    const m = await new MtpClient(port).ready();
    m.write(MtpDataType.Message, '{"x":1}', 9n);
    await m.next((f) => f.header.sn === 9n);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', connections: { ws: 1, mtp: 1, http: 1 } });
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    const body = await res.text();
    expect(body).toContain('dim_transport_connections{transport="ws"} 1');
    expect(body).toContain('dim_transport_connections{transport="mtp"} 1');
    expect(body).toMatch(/dim_transport_frames_received_total\{transport="ws"\} 1\n/);
    expect(body).toMatch(/dim_transport_frames_sent_total\{transport="mtp"\} 1\n/);
    expect(counter(metrics, 'dim_transport_bytes_received_total', { transport: 'mtp' })).toBe(16 + 7);
    expect(counter(metrics, 'dim_transport_bytes_sent_total', { transport: 'mtp' })).toBe(16 + 2);
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  it('closes garbage at once (protocol.unknown) without disturbing other clients', async () => {
    const { port, metrics } = await start();
    const c = await wsClient(port);
    const s = connect(port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => {});
    s.write(Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00));
    await new Promise((resolve) => s.on('close', resolve));
    await until(
      () => counter(metrics, 'dim_transport_closes_total', { transport: 'pending', reason: 'protocol.unknown' }) === 1,
    );
    c.ws.send('PING');
    await until(() => c.received.length === 1);
  });

  it('closes a socket that shows nothing within firstBytesTimeoutMs (protocol.timeout)', async () => {
    const { port, metrics } = await start({ firstBytesTimeoutMs: 150 });
    const s = connect(port, '127.0.0.1');
    sockets.push(s);
    s.write('GET / HTTP/1.1\r\nHost: slow'); // never finishes its headers
    const t0 = Date.now();
    await new Promise((resolve) => s.on('close', resolve));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await until(
      () => counter(metrics, 'dim_transport_closes_total', { transport: 'pending', reason: 'protocol.timeout' }) === 1,
    );
  });

  it('refuses sockets beyond maxConnectionsPerIp (limit.connections); earlier ones keep working', async () => {
    const { port, rec, metrics } = await start({ maxConnectionsPerIp: 2 });
    const a = await wsClient(port);
    const b = await new MtpClient(port).ready();
    b.write(MtpDataType.Command, 'PING', 1n);
    await b.next((f) => f.header.sn === 1n);
    await expect(wsClient(port)).rejects.toThrow();
    expect(counter(metrics, 'dim_transport_closes_total', { transport: 'pending', reason: 'limit.connections' })).toBe(
      1,
    );
    a.ws.send('PING');
    await until(() => a.received.length === 1);
    expect(rec.opened).toHaveLength(2);
    // A freed slot can be used again.
    a.ws.close();
    await a.closed;
    await until(() => rec.closes.length === 1);
    await wsClient(port);
  });

  it('closes a plain HTTP keep-alive socket idle for idleTimeoutMs after its last response', async () => {
    const { server, port, metrics } = await start({ idleTimeoutMs: 400 });
    server.setRequestHandler((_req, res) => void res.end('hi'));
    const s = connect(port, '127.0.0.1');
    sockets.push(s);
    s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => s.once('data', resolve));
    const t0 = Date.now();
    await new Promise((resolve) => s.on('close', resolve));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    await until(() => counter(metrics, 'dim_transport_closes_total', { transport: 'http', reason: 'idle' }) === 1);
  });

  it('closes gracefully: WebSocket 1001, MTP FIN, idle HTTP sockets dropped, onClose shutdown', async () => {
    const { server, port, rec } = await start();
    server.setRequestHandler((_req, res) => void res.end('hi'));
    const c = await wsClient(port);
    const m = await new MtpClient(port).ready();
    m.write(MtpDataType.Command, 'PING', 1n);
    await until(() => rec.opened.length === 2);
    const keepAlive = connect(port, '127.0.0.1');
    sockets.push(keepAlive);
    keepAlive.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => keepAlive.once('data', resolve));
    const keepAliveClosed = new Promise((resolve) => keepAlive.on('close', resolve));

    await server.close();
    expect((await c.closed).code).toBe(1001);
    await m.closed;
    await keepAliveClosed;
    expect(rec.closes.map((x) => x.reason)).toEqual(['shutdown', 'shutdown']);
    expect(server.counts()).toEqual({ pending: 0, http: 0, ws: 0, mtp: 0 });
    await expect(server.listen()).rejects.toThrow();
  });

  it('validates its options at construction', () => {
    const handler = new Recorder();
    expect(() => new TransportServer({ handler, maxPayloadBytes: 2048, maxUnsentBytes: 1024 })).toThrow(RangeError);
    expect(() => new TransportServer({ handler: {} as ConnectionHandler })).toThrow(TypeError);
    expect(() => new TransportServer({ handler, bogus: 1 } as never)).toThrow(TypeError);
  });
});
