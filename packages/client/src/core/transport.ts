/**
 * The link between a messenger and its station, whatever carries it (WebSocket, MTP over TCP, a
 * browser WebSocket, a test double). The messenger never sees frames: heartbeat words, WebSocket
 * `ACK:` frames and MTP responses are the transport's (station spec §1.3, §1.4, §1.7).
 */

export interface TransportHandlers {
  /** The link is up; the messenger starts the handshake. */
  onOpen(): void;
  /**
   * One DIM payload: UTF-8 JSON of a reliable message, or several separated by newlines (station
   * spec §1.6). Call `ack` once the payload is safely processed (persisted or deliberately
   * dropped): the transport then acknowledges it the way its framing does (WebSocket
   * `ACK:{"time":…,"signature":…}`, MTP Message-Response `OK`). A payload never acknowledged stays
   * in the station's inbox and comes again at the next login.
   */
  onPayload(payload: string, ack: () => void): void;
  /** A frame that is not a DIM payload (`PONG`, `NOOP`, a response): the link is alive. */
  onHeartbeat(): void;
  /** The link is gone (called once, for any reason, including our own `close`). */
  onClose(reason: string): void;
}

export interface TransportConnection {
  /** Sends one DIM message in its own frame. Returns false if the link is already closed. */
  send(payload: string): boolean;
  /** Sends a heartbeat (`PING`: a WebSocket text frame, or an MTP Command). */
  ping(): void;
  /** Closes the link; `onClose` follows. Idempotent. */
  close(reason?: string): void;
}

export interface Transport {
  /** The station address, e.g. `ws://host:9394/` or `tcp://host:9394`. */
  readonly url: string;
  /** Host and port, for the `station` field of the login command (wire spec §6.5). */
  readonly host?: string;
  readonly port?: number;
  /**
   * Starts connecting; the handlers report what happens, never before `connect` has returned.
   * Never throws for network errors (they end in `onClose`).
   */
  connect(handlers: TransportHandlers): TransportConnection;
}
