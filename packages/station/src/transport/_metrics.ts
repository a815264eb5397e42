import type { Counter, CounterChild, Gauge, GaugeChild, HistogramChild, MetricsRegistry } from '../metrics/registry.js';

/** Socket phases as metric label: sniffing (`pending`), plain HTTP, or a DIM connection. */
export type SocketKind = 'pending' | 'http' | 'ws' | 'mtp';

type PerKind<T> = Readonly<Record<SocketKind, T>>;
type PerTransport<T> = Readonly<Record<'ws' | 'mtp', T>>;

export interface TransportMetrics {
  readonly connections: PerKind<GaugeChild>;
  readonly opened: PerKind<CounterChild>;
  readonly closes: Counter<'transport' | 'reason'>;
  readonly framesIn: PerTransport<CounterChild>;
  readonly framesOut: PerTransport<CounterChild>;
  readonly bytesIn: PerKind<CounterChild>;
  readonly bytesOut: PerKind<CounterChild>;
  readonly ackSeconds: PerTransport<HistogramChild>;
}

const KINDS: readonly SocketKind[] = ['pending', 'http', 'ws', 'mtp'];

function perKind<C>(metric: { with(labels: { transport: string }): C }): PerKind<C> {
  const out = {} as Record<SocketKind, C>;
  for (const kind of KINDS) out[kind] = metric.with({ transport: kind });
  return out;
}

/** Close reasons become label values: anything outside a short lower-case vocabulary is counted as `other`. */
const REASON = /^[a-z][a-z0-9._-]{0,47}$/;
export function reasonLabel(reason: string): string {
  return REASON.test(reason) ? reason : 'other';
}

/** Registers the transport's metrics (names `dim_transport_*`) in `registry`. */
export function createTransportMetrics(registry: MetricsRegistry): TransportMetrics {
  const connections: Gauge<'transport'> = registry.gauge({
    name: 'dim_transport_connections',
    help: 'Open sockets by transport (pending = not yet recognised).',
    labelNames: ['transport'],
  });
  const opened = registry.counter({
    name: 'dim_transport_connections_opened_total',
    help: 'Sockets that reached a transport (pending counts every accepted socket).',
    labelNames: ['transport'],
  });
  const closes = registry.counter({
    name: 'dim_transport_closes_total',
    help: 'Closed sockets by transport and machine-readable reason.',
    labelNames: ['transport', 'reason'],
  });
  const framesIn = registry.counter({
    name: 'dim_transport_frames_received_total',
    help: 'Data frames received (WebSocket messages, MTP packages).',
    labelNames: ['transport'],
  });
  const framesOut = registry.counter({
    name: 'dim_transport_frames_sent_total',
    help: 'Data frames sent (WebSocket messages, MTP packages).',
    labelNames: ['transport'],
  });
  const bytesIn = registry.counter({
    name: 'dim_transport_bytes_received_total',
    help: 'Bytes read from sockets, framing included.',
    labelNames: ['transport'],
  });
  const bytesOut = registry.counter({
    name: 'dim_transport_bytes_sent_total',
    help: 'Bytes written to sockets, framing included.',
    labelNames: ['transport'],
  });
  const ack = registry.histogram({
    name: 'dim_transport_ack_seconds',
    help: 'Time from sending a payload to its acknowledgement by the client.',
    labelNames: ['transport'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  });
  return {
    connections: perKind(connections),
    opened: perKind(opened),
    closes,
    framesIn: { ws: framesIn.with({ transport: 'ws' }), mtp: framesIn.with({ transport: 'mtp' }) },
    framesOut: { ws: framesOut.with({ transport: 'ws' }), mtp: framesOut.with({ transport: 'mtp' }) },
    bytesIn: perKind(bytesIn),
    bytesOut: perKind(bytesOut),
    ackSeconds: { ws: ack.with({ transport: 'ws' }), mtp: ack.with({ transport: 'mtp' }) },
  };
}
