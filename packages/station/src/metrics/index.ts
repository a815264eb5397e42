// The station's metrics area: a dependency-free Prometheus registry.
export { Counter, DEFAULT_BUCKETS, Gauge, Histogram, MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './registry.js';
export type {
  CounterChild,
  GaugeChild,
  HistogramChild,
  HistogramOptions,
  LabelValues,
  MetricOptions,
} from './registry.js';
