import { PROMETHEUS_CONTENT_TYPE } from '../metrics/registry.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { RouteHandler } from './router.js';

/** `GET /metrics`: the registry in the Prometheus text format. */
export function metricsHandler(registry: MetricsRegistry): RouteHandler {
  return (_req, res) => {
    const text = registry.render();
    res.writeHead(200, {
      'content-type': PROMETHEUS_CONTENT_TYPE,
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
    });
    res.end(text);
  };
}
