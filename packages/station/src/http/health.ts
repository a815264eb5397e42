import type { RouteHandler } from './router.js';

/**
 * `GET /healthz`: 200 with JSON `{ status: "ok", uptimeSeconds, ...details() }`, never cached.
 * `details` adds live figures (e.g. open connections); if it throws, the answer is 503 `{ status: "error" }`.
 */
export function healthHandler(details?: () => Record<string, unknown>): RouteHandler {
  const started = performance.now();
  return (_req, res) => {
    let status = 200;
    let body: Record<string, unknown>;
    try {
      body = { status: 'ok', uptimeSeconds: Math.floor((performance.now() - started) / 1000), ...details?.() };
    } catch {
      status = 503;
      body = { status: 'error' };
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
    });
    res.end(text);
  };
}
