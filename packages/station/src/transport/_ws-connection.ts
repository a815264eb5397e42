import type { WebSocket } from 'ws';
import type { CloseReason, SendOptions } from './connection.js';
import { ConnectionBase } from './_context.js';
import type { Link, TransportContext } from './_context.js';
import { ackSignature, ackToken, controlWord, forEachMessage, isAck, naiveValue } from './_payload.js';

const PONG = Buffer.from('PONG');
const TEXT = { binary: false } as const;

/** WebSocket close codes (RFC 6455 §7.4.1) for the transport's reasons. */
function closeCode(reason: CloseReason): number {
  if (reason === 'shutdown') return 1001;
  if (reason === 'limit.payload') return 1009;
  if (reason.startsWith('protocol.')) return 1002;
  if (reason === 'internal.error') return 1011;
  return 1000;
}

/**
 * A client on WebSocket (§1.3). Text and binary frames both carry payloads; replies are text frames.
 * WebSocket-level pings are answered by `ws`; app-level `PING`/`PONG`/`NOOP`/`OK` and `ACK:` frames are
 * handled here and never reach the core.
 */
export class WsConnection extends ConnectionBase {
  readonly transport = 'ws';
  readonly #ws: WebSocket;

  constructor(ctx: TransportContext, link: Link, id: string, ws: WebSocket) {
    super(ctx, link, id);
    this.#ws = ws;
  }

  get bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  /** One received WebSocket message (text or binary). */
  receive(data: Buffer): void {
    if (this.closed) return;
    this.lastRx = this.ctx.clock;
    this.ctx.metrics.framesIn.ws.inc();
    const n = data.length;
    if (n === 0) return;
    if (n <= 4) {
      const word = controlWord(data);
      if (word === 'PING') {
        if (this.#ws.bufferedAmount + PONG.length > this.ctx.options.maxUnsentBytes) {
          this.close('slow-reader');
          return;
        }
        this.holdWrites();
        this.#ws.send(PONG, TEXT);
        this.ctx.metrics.framesOut.ws.inc();
        return;
      }
      if (word !== undefined) return;
    }
    if (isAck(data)) {
      const signature = ackSignature(data);
      if (signature !== undefined) this.acknowledge(signature);
      return;
    }
    forEachMessage(data, this, deliver);
  }

  send(payload: Uint8Array, options?: SendOptions): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.#ws.bufferedAmount + payload.length > this.ctx.options.maxUnsentBytes) {
      this.close('slow-reader');
      return Promise.resolve(false);
    }
    this.holdWrites();
    const ackKey = options?.ackKey;
    if (ackKey === undefined) {
      this.ctx.metrics.framesOut.ws.inc();
      return new Promise((resolve) => this.#ws.send(payload, TEXT, (err) => resolve(err == null)));
    }
    // Clients acknowledge what their naive scan finds (§1.7), which may be a nested signature: wait for both.
    const key = ackToken(ackKey);
    const scanned = naiveValue(payload, 'signature');
    const alias = scanned === undefined ? undefined : ackToken(scanned);
    const keys = alias !== undefined && alias !== key && alias.length > 0 ? [key, alias] : [key];
    const acked = this.expectAck(keys, options?.ackTimeoutMs ?? this.ctx.options.ackTimeoutMs);
    this.ctx.metrics.framesOut.ws.inc();
    this.#ws.send(payload, TEXT);
    return acked;
  }

  protected teardown(reason: CloseReason): void {
    // A peer that does not read would never see a close frame queued behind its backlog.
    if (reason === 'slow-reader') this.#ws.terminate();
    else this.#ws.close(closeCode(reason), reason.length <= 123 ? reason : undefined);
  }

  protected pauseReading(): void {
    this.#ws.pause();
  }

  protected resumeReading(): void {
    this.#ws.resume();
  }
}

function deliver(conn: WsConnection, message: Uint8Array): void {
  if (!conn.closed) conn.deliver(message);
}
