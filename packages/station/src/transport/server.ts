import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { MetricsRegistry } from '../metrics/registry.js';
import type { CloseReason, ConnectionHandler } from './connection.js';
import { resolveTransportOptions } from './options.js';
import type { ResolvedTransportOptions, TransportOptions } from './options.js';
import { sniff } from './sniff.js';
import { SILENT_LOGGER } from './_context.js';
import type { ConnectionBase, Link, TransportContext, TransportLogger } from './_context.js';
import { createTransportMetrics, reasonLabel } from './_metrics.js';
import type { SocketKind, TransportMetrics } from './_metrics.js';
import { MtpConnection } from './_mtp-connection.js';
import { WsConnection } from './_ws-connection.js';

/** Handles a plain HTTP request arriving on the transport's port (static files, uploads, health, metrics). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface TransportServerOptions extends TransportOptions {
  /** The station core. */
  readonly handler: ConnectionHandler;
  /** Plain HTTP requests; default answers 404. Can be replaced later with `setRequestHandler`. */
  readonly onRequest?: RequestHandler;
  /** Where the `dim_transport_*` metrics are registered; default a private registry. */
  readonly metrics?: MetricsRegistry;
  readonly logger?: TransportLogger;
}

export type { TransportLogger } from './_context.js';

const U64_MASK = (1n << 64n) - 1n;

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) counts as `1.2.3.4`. */
function normalizeIp(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function notFound(_req: IncomingMessage, res: ServerResponse): void {
  res.statusCode = 404;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end('not found\n');
}

/** Errors surface as the socket's 'close' with hadError; this only keeps them from being unhandled. */
function ignoreSocketError(): void {}

/** Milliseconds on a monotonic clock, whole (small integers are stored unboxed by V8). */
function now(): number {
  return Math.floor(performance.now());
}

// Per-socket state hangs off the socket (and the WebSocket) under these symbols, so that the listeners
// below are shared functions, not closures allocated per connection: idle connections stay cheap.
const kLink = Symbol('dimkit.transport.link');
const kConn = Symbol('dimkit.transport.conn');
type LinkedSocket = Socket & { [kLink]: Link };
type LinkedWebSocket = WebSocket & { [kConn]: WsConnection };

function linkOf(socket: Socket): Link {
  return (socket as LinkedSocket)[kLink];
}

function onMtpData(this: Socket, chunk: Buffer): void {
  (linkOf(this).conn as MtpConnection).receive(chunk);
}

function onWsMessage(this: WebSocket, data: Buffer): void {
  (this as LinkedWebSocket)[kConn].receive(data);
}

/** A WebSocket-level ping (answered by ws) still counts as traffic for the idle timeout. */
function onWsPing(this: WebSocket): void {
  (this as LinkedWebSocket)[kConn].touch();
}

function onWsError(this: WebSocket, err: Error): void {
  (this as LinkedWebSocket)[kConn].close(wsErrorReason(err));
}

function wsErrorReason(err: Error & { code?: string }): CloseReason {
  if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'limit.payload';
  if (err.code?.startsWith('WS_ERR_')) return 'protocol.ws';
  return 'peer.error';
}

/**
 * The station's one TCP port (station spec §1.1–1.2): each new socket is sniffed, then served as
 * WebSocket (`ws`, noServer mode, behind a non-listening `http.Server`), plain HTTP (the pluggable request
 * handler) or MTP (own framing). The core sees only `Connection`s and DIM payloads.
 *
 * Timers: one sweep interval per server enforces the first-bytes deadline, the idle timeout and close
 * deadlines (each to within one tick: a quarter of the shortest of them, at most 1 s); ACK waits have
 * their own timers. All are cleared on close.
 */
export class TransportServer {
  readonly options: ResolvedTransportOptions;
  readonly metrics: MetricsRegistry;
  readonly #ctx: TransportContext;
  /** Connections whose writes wait for the end of the turn (the first one held schedules the flush). */
  #held: ConnectionBase[] = [];
  readonly #m: TransportMetrics;
  readonly #net: NetServer;
  readonly #http: HttpServer;
  readonly #wss: WebSocketServer;
  readonly #links = new Set<Link>();
  readonly #perIp = new Map<string, number>();
  readonly #idPrefix = `${randomBytes(3).toString('hex')}-`;
  readonly #tickMs: number;
  readonly #uncollect: () => void;
  #onRequest: RequestHandler;
  #ids = 0;
  #sn: bigint;
  #sweep: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<void> | undefined;
  /** Set while closing: called when the last socket is gone. */
  #drained: (() => void) | undefined;
  readonly #onSocketClose: (this: Socket, hadError: boolean) => void;
  readonly #onSniffData: (this: Socket, chunk: Buffer) => void;

  constructor(options: TransportServerOptions) {
    if (typeof options !== 'object' || options === null) throw new TypeError('TransportServer: expected options');
    const { handler, onRequest = notFound, metrics, logger = SILENT_LOGGER, ...limits } = options;
    if (
      typeof handler !== 'object' ||
      handler === null ||
      typeof handler.onOpen !== 'function' ||
      typeof handler.onPayload !== 'function' ||
      typeof handler.onClose !== 'function'
    ) {
      throw new TypeError('TransportServer: expected a handler with onOpen, onPayload and onClose');
    }
    if (typeof onRequest !== 'function') throw new TypeError('TransportServer: onRequest must be a function');
    const o = resolveTransportOptions(limits);
    this.options = o;
    this.metrics = metrics ?? new MetricsRegistry();
    this.#m = createTransportMetrics(this.metrics);
    this.#onRequest = onRequest;
    this.#sn = randomBytes(8).readBigUInt64BE() || 1n;
    const shortest = Math.min(o.firstBytesTimeoutMs, o.closeTimeoutMs, o.idleTimeoutMs || Infinity);
    this.#tickMs = Math.max(5, Math.min(1000, Math.floor(shortest / 4)));

    this.#ctx = {
      options: o,
      handler,
      metrics: this.#m,
      log: logger,
      clock: now(),
      nextSn: () => {
        this.#sn = (this.#sn + 1n) & U64_MASK || 1n;
        return this.#sn;
      },
      finished: (conn, reason) => this.#finished(conn, reason),
      flushAfterTurn: (conn) => {
        this.#held.push(conn);
        if (this.#held.length > 1) return;
        setImmediate(() => {
          const held = this.#held;
          this.#held = [];
          for (const c of held) c.flushWrites();
        });
      },
    };

    // eslint-disable-next-line @typescript-eslint/no-this-alias -- shared listeners get the socket as `this`
    const server = this;
    this.#onSocketClose = function (hadError) {
      server.#socketClosed(linkOf(this), hadError);
    };
    this.#onSniffData = function (chunk) {
      if (server.#sniffed(linkOf(this), chunk)) this.removeListener('data', server.#onSniffData);
    };
    this.#net = createNetServer({ noDelay: true }, (socket) => this.#accept(socket));
    this.#net.on('error', (err) => logger.warn({ err }, 'transport server error'));
    // No socket timeout here (it would leave a Timeout on every upgraded socket): the sweep handles idle HTTP.
    this.#http = createHttpServer({ maxHeaderSize: o.maxHeaderBytes });
    this.#http.timeout = 0;
    this.#http.on('request', (req, res) => this.#request(req, res));
    this.#http.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: o.maxPayloadBytes,
    });
    this.#uncollect = this.metrics.onCollect(() => {
      for (const link of this.#links) this.#countBytes(link);
    });
  }

  /** Replaces the plain-HTTP request handler (e.g. once the HTTP routes are assembled). */
  setRequestHandler(onRequest: RequestHandler): void {
    if (typeof onRequest !== 'function') throw new TypeError('setRequestHandler: expected a function');
    this.#onRequest = onRequest;
  }

  /** Starts listening on `options.host`/`options.port`; resolves with the bound address. */
  listen(): Promise<AddressInfo> {
    if (this.#closing !== undefined) return Promise.reject(new Error('TransportServer: closed'));
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.#net.once('error', onError);
      this.#net.listen({ host: this.options.host, port: this.options.port }, () => {
        this.#net.off('error', onError);
        this.#ctx.clock = now();
        this.#sweep = setInterval(() => this.#tick(), this.#tickMs);
        this.#sweep.unref();
        resolve(this.#net.address() as AddressInfo);
      });
    });
  }

  /** The bound address, or null before `listen()`. */
  address(): AddressInfo | null {
    const address = this.#net.address();
    return typeof address === 'object' ? address : null;
  }

  /** Open sockets by phase: being recognised, plain HTTP, WebSocket, MTP. */
  counts(): Readonly<Record<SocketKind, number>> {
    const c = this.#m.connections;
    return { pending: c.pending.value, http: c.http.value, ws: c.ws.value, mtp: c.mtp.value };
  }

  /**
   * Graceful close: stops accepting; drops sockets still being recognised and idle HTTP sockets; lets HTTP
   * requests in progress finish; closes every WebSocket/MTP connection with `'shutdown'` (close frame /
   * FIN). Sockets still open after `closeTimeoutMs` are destroyed. Resolves when every socket is gone.
   */
  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        for (const link of this.#links) link.socket.destroy();
      }, this.options.closeTimeoutMs);
      let listening = this.#net.listening;
      const maybeDone = () => {
        if (listening || this.#links.size > 0) return;
        this.#drained = undefined;
        clearTimeout(force);
        clearInterval(this.#sweep);
        this.#sweep = undefined;
        this.#uncollect();
        this.#wss.close();
        resolve();
      };
      this.#drained = maybeDone;
      // net.Server's callback can come before the sockets' own 'close' events: wait for both.
      if (listening) {
        this.#net.close(() => {
          listening = false;
          maybeDone();
        });
      }
      for (const link of [...this.#links]) {
        if (link.conn !== null) {
          link.conn.close('shutdown');
        } else if (link.kind === 'pending' || link.busy === 0) {
          link.reason = 'shutdown';
          link.socket.destroy();
        }
      }
      maybeDone();
    });
    return this.#closing;
  }

  #accept(socket: Socket): void {
    socket.on('error', ignoreSocketError);
    const ip = normalizeIp(socket.remoteAddress);
    if (this.#closing !== undefined) {
      socket.destroy();
      return;
    }
    const count = (this.#perIp.get(ip) ?? 0) + 1;
    const max = this.options.maxConnectionsPerIp;
    if (max > 0 && count > max) {
      this.#m.closes.inc({ transport: 'pending', reason: 'limit.connections' });
      socket.destroy();
      return;
    }
    this.#perIp.set(ip, count);
    const link: Link = {
      socket,
      ip,
      kind: 'pending',
      deadline: now() + this.options.firstBytesTimeoutMs,
      chunks: [],
      size: 0,
      busy: 0,
      conn: null,
      reason: undefined,
      rxCounted: 0,
      txCounted: 0,
    };
    (socket as LinkedSocket)[kLink] = link;
    this.#links.add(link);
    this.#m.opened.pending.inc();
    this.#m.connections.pending.inc();
    socket.on('close', this.#onSocketClose);
    socket.on('data', this.#onSniffData);
  }

  /** Accumulates first bytes until they are recognised; returns true when sniffing is over. */
  #sniffed(link: Link, chunk: Buffer): boolean {
    const chunks = link.chunks!;
    chunks.push(chunk);
    link.size += chunk.length;
    const bytes = chunks.length === 1 ? chunk : Buffer.concat(chunks, link.size);
    const kind = sniff(bytes, this.options.maxHeaderBytes);
    if (kind === 'need-more') {
      if (chunks.length > 1) link.chunks = [bytes];
      return false;
    }
    link.chunks = null;
    link.size = 0;
    if (kind === 'unknown') {
      // Unlike the reference (§1.2), which keeps such sockets open, unrecognised data ends the connection.
      link.reason = 'protocol.unknown';
      link.socket.destroy();
    } else if (kind === 'mtp') {
      this.#openMtp(link, bytes);
    } else {
      this.#toHttp(link, bytes);
    }
    return true;
  }

  #setKind(link: Link, kind: SocketKind): void {
    this.#m.connections[link.kind].dec();
    link.kind = kind;
    this.#m.connections[kind].inc();
    this.#m.opened[kind].inc();
  }

  #nextId(): string {
    return this.#idPrefix + (++this.#ids).toString(36);
  }

  #open(conn: ConnectionBase): boolean {
    try {
      this.#ctx.handler.onOpen(conn);
    } catch (err) {
      this.#ctx.log.warn({ err, conn: conn.id }, 'connection handler threw in onOpen');
      conn.close('internal.error');
    }
    return !conn.closed;
  }

  #openMtp(link: Link, first: Buffer): void {
    this.#setKind(link, 'mtp');
    const conn = new MtpConnection(this.#ctx, link, this.#nextId());
    link.conn = conn;
    link.socket.on('data', onMtpData);
    if (this.#open(conn)) conn.receive(first);
  }

  /** Hands the socket, with the bytes already read, to the non-listening HTTP server. */
  #toHttp(link: Link, first: Buffer): void {
    this.#setKind(link, 'http');
    this.#httpIdleFrom(link);
    const socket = link.socket;
    socket.pause();
    socket.unshift(first);
    this.#http.emit('connection', socket);
    socket.resume();
  }

  #request(req: IncomingMessage, res: ServerResponse): void {
    const link = linkOf(req.socket);
    link.busy++;
    res.once('close', () => {
      link.busy--;
      this.#httpIdleFrom(link);
      if (this.#closing !== undefined && link.busy === 0) {
        link.reason = 'shutdown';
        link.socket.destroy();
      }
    });
    if (this.#closing !== undefined) res.shouldKeepAlive = false;
    const fail = (err: unknown) => {
      this.#ctx.log.warn({ err, url: req.url }, 'HTTP request handler failed');
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end();
      } else {
        res.destroy();
      }
    };
    try {
      const pending = this.#onRequest(req, res);
      if (pending instanceof Promise) pending.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  #upgrade(req: IncomingMessage, stream: Duplex, head: Buffer): void {
    const link = linkOf(stream as Socket);
    if (link === undefined || this.#closing !== undefined) {
      stream.destroy();
      return;
    }
    // Origin and subprotocol are not required (§1.3); ws answers 400/405/426 to a bad handshake.
    this.#wss.handleUpgrade(req, stream, head, (ws) => this.#openWs(link, ws));
  }

  #openWs(link: Link, ws: WebSocket): void {
    this.#setKind(link, 'ws');
    const conn = new WsConnection(this.#ctx, link, this.#nextId(), ws);
    link.conn = conn;
    (ws as LinkedWebSocket)[kConn] = conn;
    ws.on('message', onWsMessage);
    ws.on('ping', onWsPing);
    ws.on('error', onWsError);
    this.#open(conn);
  }

  #finished(conn: ConnectionBase, reason: CloseReason): void {
    this.#m.closes.inc({ transport: conn.transport, reason: reasonLabel(reason) });
    try {
      this.#ctx.handler.onClose(conn, reason);
    } catch (err) {
      this.#ctx.log.warn({ err, conn: conn.id }, 'connection handler threw in onClose');
    }
  }

  /** A plain HTTP socket with no request in progress is closed `idleTimeoutMs` after its last response. */
  #httpIdleFrom(link: Link): void {
    const idle = this.options.idleTimeoutMs;
    link.deadline = idle > 0 ? now() + idle : Infinity;
  }

  #socketClosed(link: Link, hadError: boolean): void {
    this.#links.delete(link);
    const left = (this.#perIp.get(link.ip) ?? 1) - 1;
    if (left > 0) this.#perIp.set(link.ip, left);
    else this.#perIp.delete(link.ip);
    const peer = hadError ? 'peer.error' : 'peer.closed';
    if (link.conn !== null) link.conn.finish(peer);
    else this.#m.closes.inc({ transport: link.kind, reason: reasonLabel(link.reason ?? peer) });
    this.#countBytes(link);
    this.#m.connections[link.kind].dec();
    if (this.#links.size === 0) this.#drained?.();
  }

  #countBytes(link: Link): void {
    const { bytesRead, bytesWritten } = link.socket;
    this.#m.bytesIn[link.kind].inc(bytesRead - link.rxCounted);
    this.#m.bytesOut[link.kind].inc(bytesWritten - link.txCounted);
    link.rxCounted = bytesRead;
    link.txCounted = bytesWritten;
  }

  #tick(): void {
    const t = now();
    this.#ctx.clock = t;
    const idle = this.options.idleTimeoutMs;
    for (const link of this.#links) {
      const conn = link.conn;
      if (conn === null) {
        if (link.kind === 'pending' ? t > link.deadline : link.busy === 0 && t > link.deadline) {
          link.reason = link.kind === 'pending' ? 'protocol.timeout' : 'idle';
          link.socket.destroy();
        }
      } else if (conn.closed) {
        if (t > link.deadline) link.socket.destroy();
      } else if (idle > 0 && !conn.paused && t - conn.lastRx > idle) {
        conn.close('idle');
      }
    }
  }
}
