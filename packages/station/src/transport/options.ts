import { MTP_MAX_BODY_LENGTH } from '@dimkit/protocol/mtp';

/**
 * Every limit of the transport, each with its default. All sizes are bytes, all durations milliseconds.
 * `resolveTransportOptions` validates them together; contradictory values throw RangeError.
 */
export interface TransportOptions {
  /** Address to bind. Default `'0.0.0.0'`. */
  readonly host?: string;
  /** TCP port; 0 picks a free one. Default 9394 (the reference station's port, §1.1). */
  readonly port?: number;
  /** Largest DIM payload in one frame: the WebSocket `maxPayload` and the MTP body length. Default 4 MiB. */
  readonly maxPayloadBytes?: number;
  /**
   * Bytes queued for a connection but not yet taken by the kernel. A send that would go past it closes the
   * connection with `'slow-reader'`. Must be >= maxPayloadBytes. Default 16 MiB.
   */
  readonly maxUnsentBytes?: number;
  /**
   * Open sockets per remote IP (any protocol, including HTTP); 0 = unlimited. Behind a proxy every socket has
   * the proxy's address: raise it or set 0 there. Default 1,000.
   */
  readonly maxConnectionsPerIp?: number;
  /** Time for a new socket to show what it is (its first bytes; for HTTP the whole header block). Default 10 s. */
  readonly firstBytesTimeoutMs?: number;
  /**
   * A connection that receives nothing this long is closed (`'idle'`): for WebSocket, no complete message
   * and no ping; for MTP, no byte; for plain HTTP, no request since the last response. 0 = never.
   * Default 128 s (§1.7: the reference's 16 s × 8).
   */
  readonly idleTimeoutMs?: number;
  /** Request line plus headers of an HTTP request (and of a WebSocket upgrade). Default 16 KiB. */
  readonly maxHeaderBytes?: number;
  /** How long `send(…, { ackKey })` waits for the client's acknowledgement by default. Default 120 s (§1.4, §1.7). */
  readonly ackTimeoutMs?: number;
  /** Bytes an MTP stream may drop in a row while resynchronising on the next `DIM`. Default 64 KiB (§1.4). */
  readonly maxGarbageBytes?: number;
  /** After a close is started, time for the peer to finish it before the socket is destroyed. Default 5 s. */
  readonly closeTimeoutMs?: number;
}

export type ResolvedTransportOptions = { readonly [K in keyof TransportOptions]-?: NonNullable<TransportOptions[K]> };

export const TRANSPORT_DEFAULTS: ResolvedTransportOptions = Object.freeze({
  host: '0.0.0.0',
  port: 9394,
  maxPayloadBytes: 4 * 1024 * 1024,
  maxUnsentBytes: 16 * 1024 * 1024,
  maxConnectionsPerIp: 1000,
  firstBytesTimeoutMs: 10_000,
  idleTimeoutMs: 128_000,
  maxHeaderBytes: 16 * 1024,
  ackTimeoutMs: 120_000,
  maxGarbageBytes: 64 * 1024,
  closeTimeoutMs: 5_000,
});

/** Largest timer Node accepts (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`transport option ${name}: expected an integer, got ${typeof value}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`transport option ${name}: expected ${min}..${max}, got ${value}`);
  }
  return value;
}

/** Fills in defaults and checks every option (TypeError for a wrong type, RangeError for a bad value). */
export function resolveTransportOptions(options: TransportOptions = {}): ResolvedTransportOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('transport options: expected an object');
  const known = new Set(Object.keys(TRANSPORT_DEFAULTS));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new TypeError(`transport options: unknown option ${key}`);
  }
  const o = { ...TRANSPORT_DEFAULTS, ...stripUndefined(options) };
  if (typeof o.host !== 'string' || o.host.length === 0) {
    throw new TypeError('transport option host: expected a non-empty string');
  }
  integer('port', o.port, 0, 65535);
  integer('maxPayloadBytes', o.maxPayloadBytes, 1, MTP_MAX_BODY_LENGTH);
  integer('maxUnsentBytes', o.maxUnsentBytes, 1, Number.MAX_SAFE_INTEGER);
  integer('maxConnectionsPerIp', o.maxConnectionsPerIp, 0, Number.MAX_SAFE_INTEGER);
  integer('firstBytesTimeoutMs', o.firstBytesTimeoutMs, 1, MAX_TIMER_MS);
  integer('idleTimeoutMs', o.idleTimeoutMs, 0, MAX_TIMER_MS);
  integer('maxHeaderBytes', o.maxHeaderBytes, 1024, 1024 * 1024);
  integer('ackTimeoutMs', o.ackTimeoutMs, 1, MAX_TIMER_MS);
  integer('maxGarbageBytes', o.maxGarbageBytes, 0, Number.MAX_SAFE_INTEGER);
  integer('closeTimeoutMs', o.closeTimeoutMs, 1, MAX_TIMER_MS);
  if (o.maxUnsentBytes < o.maxPayloadBytes) {
    throw new RangeError(
      `transport options: maxUnsentBytes (${o.maxUnsentBytes}) must be >= maxPayloadBytes (${o.maxPayloadBytes}), ` +
        'or relaying one maximal message would close the receiver as a slow reader',
    );
  }
  if (o.idleTimeoutMs !== 0 && o.idleTimeoutMs < o.firstBytesTimeoutMs) {
    throw new RangeError(
      `transport options: idleTimeoutMs (${o.idleTimeoutMs}) must be 0 or >= firstBytesTimeoutMs (${o.firstBytesTimeoutMs})`,
    );
  }
  return Object.freeze(o);
}

function stripUndefined(options: TransportOptions): TransportOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (v !== undefined) out[k] = v;
  return out as TransportOptions;
}
