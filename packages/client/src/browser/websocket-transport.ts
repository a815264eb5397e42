import { wsAckFrame } from '../core/ack.js';
import type { Transport, TransportConnection, TransportHandlers } from '../core/transport.js';

/** The part of the WHATWG `WebSocket` this transport uses (browsers, Node ≥ 22, or `ws` in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WebSocketTransportOptions {
  /** The WebSocket class; default `globalThis.WebSocket`. */
  readonly WebSocket?: WebSocketConstructor;
  /** A socket not open by then is given up (`onClose('connect.timeout')`). Default 15 000 ms. */
  readonly connectTimeoutMs?: number;
}

const OPEN = 1;
/** Control words of station spec §1.3: never DIM payloads. */
const CONTROL_WORDS = new Set(['PING', 'PONG', 'NOOP', 'OK']);
const decoder = new TextDecoder();
const ignore = (): void => {};

/** `ws://host:port/` for an `http(s)://` page address (the station serves the app and the socket on one port). */
export function stationUrlForPage(location: { protocol: string; host: string }): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/`;
}

/**
 * A `Transport` on a WebSocket (station spec §1.3, §1.7), for browsers. Payloads go out as text frames,
 * one DIM message each. Incoming frames: `PONG`, `NOOP`, `OK` (and a stray `PING`) are heartbeats; `ACK:`
 * frames from the station are ignored; everything else is a payload, acknowledged with the reference's
 * `ACK:{"time":…,"signature":…}` once the messenger calls `ack`. Throws TypeError on a URL that is not
 * `ws:` or `wss:`, or when no WebSocket class is available.
 */
export class WebSocketTransport implements Transport {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly #WebSocket: WebSocketConstructor;
  readonly #connectTimeoutMs: number;

  constructor(url: string, options: WebSocketTransportOptions = {}) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw new TypeError(`WebSocketTransport: expected a ws: or wss: URL, got ${JSON.stringify(url)}`);
    }
    const ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ?? undefined;
    if (ctor === undefined) throw new TypeError('WebSocketTransport: no WebSocket class available');
    this.url = parsed.href;
    this.host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = parsed.port === '' ? (parsed.protocol === 'wss:' ? 443 : 80) : Number(parsed.port);
    this.#WebSocket = ctor;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  }

  connect(handlers: TransportHandlers): TransportConnection {
    let closed = false;
    let ws: WebSocketLike | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;

    const finish = (reason: string): void => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      if (ws !== undefined) {
        ws.onopen = ws.onmessage = ws.onclose = null;
        // Keep an error listener: some implementations (ws) report a close-while-connecting as an error.
        ws.onerror = ignore;
      }
      handlers.onClose(reason);
    };

    const connection: TransportConnection = {
      send(payload: string): boolean {
        if (closed || ws === undefined || ws.readyState !== OPEN) return false;
        try {
          ws.send(payload);
          return true;
        } catch {
          return false;
        }
      },
      ping(): void {
        if (!closed && ws !== undefined && ws.readyState === OPEN) ws.send('PING');
      },
      close(reason = 'closed'): void {
        if (closed) return;
        try {
          ws?.close(1000, reason.length <= 120 ? reason : undefined);
        } catch {
          // already closing; nothing to do
        }
        finish(reason);
      },
    };

    try {
      ws = new this.#WebSocket(this.url);
    } catch (error) {
      // A refused URL (mixed content, a blocked port) is a network error: report it as a close.
      queueMicrotask(() => finish(`connect.failed: ${error instanceof Error ? error.message : String(error)}`));
      return connection;
    }
    ws.binaryType = 'arraybuffer';
    timer = setTimeout(() => {
      if (ws?.readyState !== OPEN) connection.close('connect.timeout');
    }, this.#connectTimeoutMs);

    ws.onopen = () => {
      clearTimeout(timer);
      if (!closed) handlers.onOpen();
    };
    // A close event always follows an error; report once, there.
    ws.onerror = ignore;
    ws.onclose = (event) => finish(event.code === 1000 || event.code === undefined ? 'closed' : `closed.${event.code}`);
    ws.onmessage = (event) => {
      if (closed) return;
      const data = event.data;
      let text: string;
      if (typeof data === 'string') text = data;
      else if (data instanceof ArrayBuffer) text = decoder.decode(data);
      else if (ArrayBuffer.isView(data)) text = decoder.decode(data);
      else return;
      if (text.length === 0) return;
      if (CONTROL_WORDS.has(text)) {
        handlers.onHeartbeat();
        return;
      }
      if (text.startsWith('ACK:')) return;
      let acked = false;
      handlers.onPayload(text, () => {
        if (acked || closed) return;
        acked = true;
        const frame = wsAckFrame(text);
        if (frame !== undefined && ws?.readyState === OPEN) ws.send(frame);
      });
    };
    return connection;
  }
}
