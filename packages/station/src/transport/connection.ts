/**
 * What the station core sees of a client connection. It never learns whether the bytes came over
 * WebSocket or MTP: heartbeats, acknowledgements and framing stay in the transport.
 */

/**
 * Why a connection closed. The transport's own reasons are listed; the core may pass its own to
 * `close()` (keep them a fixed, machine-readable vocabulary: they become metric labels).
 */
export type CloseReason =
  /** The peer closed the connection (WebSocket close, TCP FIN). */
  | 'peer.closed'
  /** The socket failed (reset, write after the peer vanished). */
  | 'peer.error'
  /** Nothing received for `idleTimeoutMs` (see that option). */
  | 'idle'
  /** A frame (or declared MTP body) larger than `maxPayloadBytes`. */
  | 'limit.payload'
  /** More sockets from this IP than `maxConnectionsPerIp`. */
  | 'limit.connections'
  /** Queued output would exceed `maxUnsentBytes`: the client does not read. */
  | 'slow-reader'
  /** The first bytes were neither WebSocket, HTTP nor MTP. */
  | 'protocol.unknown'
  /** The first bytes did not arrive within `firstBytesTimeoutMs`. */
  | 'protocol.timeout'
  /** Too much garbage on an MTP stream. */
  | 'protocol.mtp'
  /** A WebSocket protocol violation (bad opcode, invalid UTF-8 in a text frame, …). */
  | 'protocol.ws'
  /** The server is shutting down. */
  | 'shutdown'
  /** The connection handler threw. */
  | 'internal.error'
  | (string & {});

export interface SendOptions {
  /**
   * The message's `signature` string. With it, the promise resolves true only when the client
   * acknowledges this payload (WebSocket `ACK:{…"signature":…}`, MTP Message-Response with the same SN),
   * false on timeout or close.
   */
  readonly ackKey?: string;
  /** Overrides the server's `ackTimeoutMs` for this payload; outside 1..2^31-1 ms `send` throws RangeError. */
  readonly ackTimeoutMs?: number;
}

export interface Connection {
  /** Unique within the process. */
  readonly id: string;
  readonly transport: 'ws' | 'mtp';
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** True once closed (by either side); `send` then resolves false. */
  readonly closed: boolean;
  /**
   * Sends one DIM payload in its own frame (§1.6: one message per frame). Without `ackKey` the promise
   * resolves true once the bytes are handed to the kernel, false if the connection closes first.
   * If the bytes queued for this connection would exceed `maxUnsentBytes`, the connection is closed
   * with `'slow-reader'` and the promise resolves false. Never rejects (bad options throw synchronously).
   */
  send(payload: Uint8Array, options?: SendOptions): Promise<boolean>;
  /** Starts a graceful close; `onClose` is called at once with this reason. Idempotent. */
  close(reason: CloseReason): void;
  /** Stops reading from the socket (backpressure from the core); the idle timeout is suspended meanwhile. */
  pause(): void;
  /** Reads again after `pause()`. */
  resume(): void;
  /** Bytes queued for this connection and not yet taken by the kernel. */
  readonly bufferedBytes: number;
}

export interface ConnectionHandler {
  /** A client connected; called before any `onPayload` for it. */
  onOpen(conn: Connection): void;
  /**
   * One DIM message (UTF-8 JSON bytes). The array may be a view of a larger received buffer and is
   * not copied: do not mutate it; copy it if kept long while the connection lives on.
   */
  onPayload(conn: Connection, payload: Uint8Array): void;
  /** Called exactly once per opened connection, when it closes for any reason (including `close()`). */
  onClose(conn: Connection, reason: CloseReason): void;
}
