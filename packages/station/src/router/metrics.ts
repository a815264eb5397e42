import type { Counter, Gauge, GaugeChild, HistogramChild, MetricsRegistry } from '../metrics/index.js';

/** Why the station refused a message or a connection (a fixed vocabulary: these are metric labels). */
export type RefusalReason =
  /** Not a reliable message: bad JSON, missing fields, bad IDs (`message.format`), or too big (`message.size`). */
  | 'message.format'
  | 'message.size'
  /** A message other than a handshake before the handshake, with the suspend queue full. */
  | 'handshake.required'
  /** No handshake within the deadline. */
  | 'handshake.timeout'
  /** An attached meta that is invalid or does not match the sender. */
  | 'meta.invalid'
  | 'meta.mismatch'
  /** Nothing known to verify the sender with (no meta attached or stored). */
  | 'meta.missing'
  /** An attached or uploaded document that does not parse, belongs to someone else, or does not verify. */
  | 'document.invalid'
  | 'document.signature'
  /** A message signature that does not verify. */
  | 'signature.invalid'
  /** A message to the station that cannot be decrypted or whose content is malformed. */
  | 'content.format'
  /** After the handshake, a `sender` other than the session's user. */
  | 'session.sender'
  /** A group ID (or an unknown `…@everywhere`) as receiver: stations never split group messages. */
  | 'receiver.group'
  /** `name@anywhere` with no ANS record. */
  | 'receiver.unknown'
  /** The receiver blocked the sender. */
  | 'blocked'
  /** The receiver's inbox is full. */
  | 'inbox.quota'
  /** The store failed; the message was not kept. */
  | 'store.failure'
  /** A station reply could not be made (no encryption key for the user). */
  | 'reply.failed';

/** The station core's metrics (`dim_station_*`); the transport registers its own (`dim_transport_*`). */
export interface StationMetrics {
  /** Connections by handshake state. */
  readonly sessions: { readonly handshaking: GaugeChild; readonly authenticated: GaugeChild };
  /** Distinct users with at least one authenticated connection. */
  readonly usersOnline: GaugeChild;
  /** From connection open to `DIM!`. */
  readonly handshakeSeconds: HistogramChild;
  readonly received: Counter<'kind'>;
  readonly sent: Counter<'kind'>;
  readonly refusals: Counter<'reason'>;
  /** Messages waiting in inboxes (all receivers). */
  readonly inboxDepth: GaugeChild;
  readonly inbox: Counter<'result'>;
  readonly receipts: Counter<'text'>;
}

/** Registers the station core's metrics in `registry`. */
export function createStationMetrics(registry: MetricsRegistry): StationMetrics {
  const sessions: Gauge<'state'> = registry.gauge({
    name: 'dim_station_sessions',
    help: 'DIM connections by handshake state.',
    labelNames: ['state'],
  });
  const usersOnline = registry.gauge({
    name: 'dim_station_users_online',
    help: 'Users with at least one authenticated connection.',
  });
  const handshake = registry.histogram({
    name: 'dim_station_handshake_seconds',
    help: 'Time from connection open to the accepted handshake (DIM!).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const received = registry.counter({
    name: 'dim_station_messages_received_total',
    help: 'DIM messages received, by what the station did with them (handshake, station, broadcast, relay, suspended).',
    labelNames: ['kind'],
  });
  const sent = registry.counter({
    name: 'dim_station_messages_sent_total',
    help: 'DIM messages sent: station replies, relayed messages pushed live, inbox messages delivered.',
    labelNames: ['kind'],
  });
  const refusals = registry.counter({
    name: 'dim_station_refusals_total',
    help: 'Messages and connections refused, by reason.',
    labelNames: ['reason'],
  });
  const depth = registry.gauge({
    name: 'dim_station_inbox_depth',
    help: 'Messages waiting in the offline inboxes of all receivers.',
  });
  const inbox = registry.counter({
    name: 'dim_station_inbox_total',
    help: 'Inbox operations by result (stored, duplicate, quota, delivered, purged).',
    labelNames: ['result'],
  });
  const receipts = registry.counter({
    name: 'dim_station_receipts_total',
    help: 'Receipts the station sent, by text.',
    labelNames: ['text'],
  });
  return {
    sessions: {
      handshaking: sessions.with({ state: 'handshaking' }),
      authenticated: sessions.with({ state: 'authenticated' }),
    },
    usersOnline: usersOnline.with(),
    handshakeSeconds: handshake.with(),
    received,
    sent,
    refusals,
    inboxDepth: depth.with(),
    inbox,
    receipts,
  };
}
