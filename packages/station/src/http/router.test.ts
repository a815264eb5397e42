import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../metrics/registry.js';
import { healthHandler } from './health.js';
import { metricsHandler } from './metrics-endpoint.js';
import { HttpRouter } from './router.js';

let server: Server | undefined;

async function serve(router: HttpRouter): Promise<string> {
  server = createServer(router.handle);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  const s = server;
  server = undefined;
  if (s === undefined) return;
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
});

describe('HTTP router', () => {
  it('routes by exact path and method, ignoring the query string', async () => {
    const base = await serve(
      new HttpRouter().get('/a', (_req, res, url) => void res.end(`a:${url.searchParams.get('q')}`)),
    );
    const res = await fetch(`${base}/a?q=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('a:1');
  });

  it('answers 404 for unknown paths and 405 with Allow for other methods', async () => {
    const base = await serve(new HttpRouter().get('/a', (_req, res) => void res.end('a')));
    const missing = await fetch(`${base}/b`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not_found' });
    const wrong = await fetch(`${base}/a`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves HEAD with the GET handler and no body', async () => {
    const base = await serve(new HttpRouter().get('/a', (_req, res) => void res.end('body')));
    const res = await fetch(`${base}/a`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('matches the longest prefix route', async () => {
    const base = await serve(
      new HttpRouter()
        .get('/static/*', (_req, res, url) => void res.end(`static ${url.pathname}`))
        .get('/static/img/*', (_req, res) => void res.end('img')),
    );
    expect(await (await fetch(`${base}/static/app.js`)).text()).toBe('static /static/app.js');
    expect(await (await fetch(`${base}/static/img/a.png`)).text()).toBe('img');
    expect((await fetch(`${base}/staticx`)).status).toBe(404);
  });

  it('answers 500 when a handler throws or rejects, and reports the error', async () => {
    const errors: unknown[] = [];
    const base = await serve(
      new HttpRouter({ onError: (err) => errors.push(err) })
        .get('/sync', () => {
          throw new Error('boom');
        })
        .get('/async', async () => {
          throw new Error('later');
        }),
    );
    expect((await fetch(`${base}/sync`)).status).toBe(500);
    expect((await fetch(`${base}/async`)).status).toBe(500);
    expect(errors).toHaveLength(2);
  });

  it('rejects bad routes and duplicates', () => {
    const r = new HttpRouter().get('/a', () => {});
    expect(() => r.get('/a', () => {})).toThrow(TypeError);
    expect(() => r.route('get', '/b', () => {})).toThrow(TypeError);
    expect(() => r.get('b', () => {})).toThrow(TypeError);
  });

  it('serves /healthz as JSON and /metrics in the Prometheus format', async () => {
    const registry = new MetricsRegistry();
    registry.counter({ name: 'things_total', help: 'Things.' }).inc(undefined, 2);
    const base = await serve(
      new HttpRouter()
        .get(
          '/healthz',
          healthHandler(() => ({ connections: 3 })),
        )
        .get('/metrics', metricsHandler(registry)),
    );
    const health = await fetch(`${base}/healthz`);
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await health.json()).toMatchObject({ status: 'ok', connections: 3, uptimeSeconds: 0 });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toContain('things_total 2\n');
  });

  it('answers 503 when the health details fail', async () => {
    const base = await serve(
      new HttpRouter().get(
        '/healthz',
        healthHandler(() => {
          throw new Error('db down');
        }),
      ),
    );
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'error' });
  });
});
