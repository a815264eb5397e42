import type { Socket } from 'node:net';
import type { Connection, ConnectionHandler, CloseReason } from './connection.js';
import type { ResolvedTransportOptions } from './options.js';
import type { SocketKind, TransportMetrics } from './_metrics.js';

/** Minimal logger (pino-compatible): the transport logs peers' misbehaviour at debug, handler bugs at warn. */
export interface TransportLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export const SILENT_LOGGER: TransportLogger = { warn() {}, debug() {} };

/** Per-socket bookkeeping of the server, from accept to close. */
export interface Link {
  readonly socket: Socket;
  readonly ip: string;
  kind: SocketKind;
  /**
   * Whole milliseconds (performance.now()) by which: the first bytes must be recognised (pending); an idle
   * HTTP socket is closed (http); a started close must have ended (ws, mtp).
   */
  deadline: number;
  /** Received bytes while sniffing. */
  chunks: Buffer[] | null;
  size: number;
  /** HTTP requests in progress on this socket. */
  busy: number;
  conn: ConnectionBase | null;
  /** Why the server closed a socket that never became a connection (metric label). */
  reason: string | undefined;
  /** Socket byte counts already added to the metrics. */
  rxCounted: number;
  txCounted: number;
}

/** What every connection needs from its server: one shared object, so a connection holds one pointer. */
export interface TransportContext {
  readonly options: ResolvedTransportOptions;
  readonly handler: ConnectionHandler;
  readonly metrics: TransportMetrics;
  readonly log: TransportLogger;
  /** Coarse monotonic milliseconds, advanced by the server's sweep timer. */
  clock: number;
  /** A fresh MTP transaction ID (§1.4: a 64-bit counter seeded randomly). */
  nextSn(): bigint;
  /** Called once when a connection finishes (either side): metrics and `handler.onClose`. */
  finished(conn: ConnectionBase, reason: CloseReason): void;
  /** Calls `conn.flushWrites()` once the current event-loop turn has run (see `ConnectionBase.holdWrites`). */
  flushAfterTurn(conn: ConnectionBase): void;
}

/** State shared by both kinds of connection: close bookkeeping, ACK waiters, idle accounting. */
export abstract class ConnectionBase implements Connection {
  abstract readonly transport: 'ws' | 'mtp';
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Last time (ctx.clock) a byte was received. */
  lastRx: number;
  paused = false;
  #closed = false;
  #acks: Map<string | bigint, AckWaiter> | null = null;
  #holding = false;
  protected readonly ctx: TransportContext;
  readonly link: Link;

  constructor(ctx: TransportContext, link: Link, id: string) {
    this.ctx = ctx;
    this.link = link;
    this.id = id;
    this.remoteAddress = link.ip;
    this.remotePort = link.socket.remotePort ?? 0;
    this.lastRx = ctx.clock;
  }

  get closed(): boolean {
    return this.#closed;
  }

  abstract send(payload: Uint8Array, options?: { ackKey?: string; ackTimeoutMs?: number }): Promise<boolean>;
  abstract get bufferedBytes(): number;
  protected abstract teardown(reason: CloseReason): void;
  protected abstract pauseReading(): void;
  protected abstract resumeReading(): void;

  close(reason: CloseReason): void {
    if (this.#closed) return;
    this.finish(reason);
    this.teardown(reason);
  }

  /** Records traffic for the idle timeout. */
  touch(): void {
    this.lastRx = this.ctx.clock;
  }

  pause(): void {
    if (this.paused || this.#closed) return;
    this.paused = true;
    this.pauseReading();
  }

  resume(): void {
    if (!this.paused || this.#closed) return;
    this.paused = false;
    this.lastRx = this.ctx.clock;
    this.resumeReading();
  }

  /**
   * Keeps what is written to the socket until the end of the event-loop turn, so that every frame one turn
   * sends to this peer (relayed messages, receipts, MTP responses) leaves in one system call.
   */
  protected holdWrites(): void {
    if (this.#holding) return;
    this.#holding = true;
    this.link.socket.cork();
    this.ctx.flushAfterTurn(this);
  }

  /** Writes out what `holdWrites` kept. */
  flushWrites(): void {
    if (!this.#holding) return;
    this.#holding = false;
    this.link.socket.uncork();
  }

  /** Hands one DIM message to the core; a throwing handler closes this connection, not the server. */
  deliver(message: Uint8Array): void {
    try {
      this.ctx.handler.onPayload(this, message);
    } catch (err) {
      this.ctx.log.warn({ err, conn: this.id }, 'connection handler threw in onPayload');
      this.close('internal.error');
    }
  }

  /** Marks the connection closed (once) and tells the server; settles every ACK waiter with false. */
  finish(reason: CloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    // The server's sweep destroys the socket if the close has not completed by then.
    this.link.deadline = this.ctx.clock + this.ctx.options.closeTimeoutMs;
    const acks = this.#acks;
    this.#acks = null;
    if (acks !== null) {
      for (const waiter of acks.values()) {
        for (let w: AckWaiter | undefined = waiter; w !== undefined; w = w.also) this.#settle(acks, w, false);
      }
    }
    this.ctx.finished(this, reason);
  }

  /**
   * Returns a promise settled by `acknowledge(key)` for any of `keys` (true), or false after `timeoutMs`
   * or on close. A key already waited for is taken over; the earlier waiter is settled with the new one
   * (the same message sent twice is delivered when either copy is acknowledged).
   */
  protected expectAck(keys: readonly (string | bigint)[], timeoutMs: number): Promise<boolean> {
    if (!(timeoutMs > 0 && timeoutMs <= 2 ** 31 - 1)) {
      throw new RangeError(`send: expected ackTimeoutMs in 1..2^31-1, got ${timeoutMs}`);
    }
    if (this.#closed) return Promise.resolve(false);
    const acks = (this.#acks ??= new Map());
    return new Promise<boolean>((resolve) => {
      const waiter: AckWaiter = {
        resolve,
        keys,
        start: performance.now(),
        done: false,
        timer: undefined,
        also: undefined,
      };
      for (const key of keys) {
        const earlier = acks.get(key);
        if (earlier !== undefined && earlier !== waiter) waiter.also = earlier;
        acks.set(key, waiter);
      }
      waiter.timer = setTimeout(() => this.#settle(acks, waiter, false), timeoutMs);
      waiter.timer.unref();
    });
  }

  /** Settles the waiter for `key` with true; returns whether there was one. */
  protected acknowledge(key: string | bigint): boolean {
    const acks = this.#acks;
    const waiter = acks?.get(key);
    if (acks == null || waiter === undefined) return false;
    this.#settle(acks, waiter, true);
    return true;
  }

  #settle(acks: Map<string | bigint, AckWaiter>, waiter: AckWaiter, ok: boolean): void {
    if (waiter.done) return;
    waiter.done = true;
    clearTimeout(waiter.timer);
    const earlier = waiter.also !== undefined && !waiter.also.done ? waiter.also : undefined;
    for (const key of waiter.keys) {
      if (acks.get(key) !== waiter) continue;
      if (!ok && earlier !== undefined) acks.set(key, earlier);
      else acks.delete(key);
    }
    if (ok) this.ctx.metrics.ackSeconds[this.transport].observe((performance.now() - waiter.start) / 1000);
    waiter.resolve(ok);
    if (ok && earlier !== undefined) this.#settle(acks, earlier, true);
  }
}

interface AckWaiter {
  readonly resolve: (ok: boolean) => void;
  readonly keys: readonly (string | bigint)[];
  readonly start: number;
  done: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  also: AckWaiter | undefined;
}
