import { WebSocket, type RawData } from 'ws';
import { wsAckFrame } from '../core/ack.js';
import type { Transport, TransportConnection, TransportHandlers } from '../core/transport.js';

export interface WebSocketTransportOptions {
  /** Largest frame accepted from the station (default 16 MiB; a message is at most 4 MiB of JSON). */
  readonly maxPayloadBytes?: number;
  /** Give up opening after this (default 20 000 ms); the messenger's handshake deadline still applies. */
  readonly openTimeoutMs?: number;
}

const CONTROL_WORDS = new Set(['PING', 'PONG', 'NOOP', 'OK']);

function toText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/**
 * A WebSocket link to a station, as the reference web and Flutter clients use it (station spec
 * §1.3, §1.7): one DIM message per text frame, `PING` as a text frame for the heartbeat, `PONG`
 * / `NOOP` / `OK` as signs of life, and `ACK:{"time":…,"signature":…}` once a payload is processed.
 */
class WebSocketConnection implements TransportConnection {
  readonly #ws: WebSocket;
  readonly #handlers: TransportHandlers;
  #closed = false;

  constructor(url: string, handlers: TransportHandlers, options: WebSocketTransportOptions) {
    this.#handlers = handlers;
    this.#ws = new WebSocket(url, {
      maxPayload: options.maxPayloadBytes ?? 16 * 1024 * 1024,
      perMessageDeflate: false,
      handshakeTimeout: options.openTimeoutMs ?? 20_000,
    });
    this.#ws.on('open', () => {
      if (!this.#closed) this.#handlers.onOpen();
    });
    this.#ws.on('message', (data) => this.#receive(toText(data)));
    this.#ws.on('pong', () => this.#handlers.onHeartbeat());
    // 'error' is always followed by 'close'; without a listener ws would throw.
    this.#ws.on('error', (error) => this.#finish(`error: ${error.message}`));
    this.#ws.on('close', (code, reason) =>
      this.#finish(`closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`),
    );
  }

  #receive(text: string): void {
    if (this.#closed) return;
    if (text.length <= 4 && CONTROL_WORDS.has(text)) {
      // The station never pings (station spec §1.7), but answering costs nothing.
      if (text === 'PING') this.#sendRaw('PONG');
      this.#handlers.onHeartbeat();
      return;
    }
    if (text.startsWith('ACK:') || text.length === 0) {
      this.#handlers.onHeartbeat();
      return;
    }
    let acked = false;
    this.#handlers.onPayload(text, () => {
      if (acked) return;
      acked = true;
      const frame = wsAckFrame(text);
      if (frame !== undefined) this.#sendRaw(frame);
    });
  }

  #sendRaw(text: string): boolean {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return false;
    this.#ws.send(text);
    return true;
  }

  #finish(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ws.removeAllListeners('message');
    if (this.#ws.readyState === WebSocket.CONNECTING || this.#ws.readyState === WebSocket.OPEN) {
      this.#ws.terminate();
    }
    this.#handlers.onClose(reason);
  }

  send(payload: string): boolean {
    return this.#sendRaw(payload);
  }

  ping(): void {
    this.#sendRaw('PING');
  }

  close(reason = 'closed by the client'): void {
    if (this.#closed) return;
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(1000);
    this.#finish(reason);
  }
}

/** A transport to `ws://host:port/` or `wss://…` (TLS terminated by a proxy in front of the station). */
export function webSocketTransport(url: string, options: WebSocketTransportOptions = {}): Transport {
  const parsed = new URL(url);
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new RangeError(`webSocketTransport: expected a ws:// or wss:// URL, got ${url}`);
  }
  const port = parsed.port === '' ? (parsed.protocol === 'wss:' ? 443 : 80) : Number(parsed.port);
  return {
    url,
    host: parsed.hostname,
    port,
    connect: (handlers) => new WebSocketConnection(url, handlers, options),
  };
}
