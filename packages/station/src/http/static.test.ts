import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpRouter } from './router.js';
import { resolveStaticPath, staticHandler } from './static.js';

let dir: string;
let root: string;
let server: Server | undefined;
const script = `console.log(${JSON.stringify('x'.repeat(2000))});\n`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dimkit-static-'));
  root = join(dir, 'dist');
  mkdirSync(join(root, 'assets'), { recursive: true });
  mkdirSync(join(root, 'docs'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>dimkit</title>');
  writeFileSync(join(root, 'docs', 'index.html'), '<p>docs</p>');
  writeFileSync(join(root, 'assets', 'app-1a2b3c.js'), script);
  writeFileSync(join(root, 'assets', 'logo.png'), new Uint8Array(600).fill(7));
  writeFileSync(join(root, 'data.bin'), new Uint8Array([1, 2, 3]));
  writeFileSync(join(root, '.env'), 'SECRET=1');
  writeFileSync(join(dir, 'secret.txt'), 'outside the root');
  symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
  utimesSync(join(root, 'index.html'), new Date(1_700_000_000_000), new Date(1_700_000_000_000));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  const s = server;
  server = undefined;
  if (s === undefined) return;
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
});

async function serve(): Promise<number> {
  const router = new HttpRouter().get('/*', staticHandler({ root }));
  server = createServer(router.handle);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: fetch() would normalise `..` in the path and decompress the body. */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  it('serves index.html for / with the page security headers and no-cache', async () => {
    const port = await serve();
    const res = await get(port, '/');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('<!doctype html><title>dimkit</title>');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['last-modified']).toBe(new Date(1_700_000_000_000).toUTCString());
  });

  it('serves the index of a directory path', async () => {
    const port = await serve();
    expect((await get(port, '/docs/')).body.toString()).toBe('<p>docs</p>');
  });

  it('caches hashed assets for a year and gzips text when accepted', async () => {
    const port = await serve();
    const plain = await get(port, '/assets/app-1a2b3c.js');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);

    const zipped = await get(port, '/assets/app-1a2b3c.js', { 'accept-encoding': 'br, gzip;q=0.8' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['vary']).toBe('Accept-Encoding');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(zipped.body.length).toBeLessThan(script.length / 4);
    expect(gunzipSync(zipped.body).toString()).toBe(script);

    // A second request is answered from the cached compressed copy, byte for byte the same.
    const again = await get(port, '/assets/app-1a2b3c.js', { 'accept-encoding': 'gzip' });
    expect(again.body.equals(zipped.body)).toBe(true);
  });

  it('does not gzip when the client refuses it, nor binary types', async () => {
    const port = await serve();
    const refused = await get(port, '/assets/app-1a2b3c.js', { 'accept-encoding': 'gzip;q=0' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    const png = await get(port, '/assets/logo.png', { 'accept-encoding': 'gzip' });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.body.length).toBe(600);
    const bin = await get(port, '/data.bin');
    expect(bin.headers['content-type']).toBe('application/octet-stream');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const port = await serve();
    const first = await get(port, '/');
    const etag = first.headers['etag'] as string;
    expect(etag).toMatch(/^W\/"/);
    const second = await get(port, '/', { 'if-none-match': etag });
    expect(second.status).toBe(304);
    expect(second.body.length).toBe(0);
    expect((await get(port, '/', { 'if-none-match': 'W/"other"' })).status).toBe(200);
  });

  it('answers HEAD with the headers and no body', async () => {
    const port = await serve();
    const res = await get(port, '/assets/app-1a2b3c.js', {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(script.length);
    expect(res.body.length).toBe(0);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/%2E%2E/%2E%2E/secret.txt',
    '/..%2fsecret.txt',
    '/assets/..%5c..%5csecret.txt',
    '/.env',
    '/index.html%00.js',
    '/%E0%A4%A',
    '/link.txt',
    '/missing.js',
    '/assets',
  ])('refuses %s with 404', async (path) => {
    const port = await serve();
    const res = await get(port, path);
    expect(res.status).toBe(404);
    expect(res.body.toString()).not.toContain('outside the root');
    expect(res.body.toString()).not.toContain('SECRET');
  });

  it('resolves paths only inside the root', () => {
    expect(resolveStaticPath('/srv/app', '/')).toBe('/srv/app/index.html');
    expect(resolveStaticPath('/srv/app', '/a/b.js')).toBe('/srv/app/a/b.js');
    expect(resolveStaticPath('/srv/app', '/a%20b.js')).toBe('/srv/app/a b.js');
    expect(resolveStaticPath('/srv/app', '/a/../../etc/passwd')).toBeUndefined();
    expect(resolveStaticPath('/srv/app', '//etc/passwd')).toBe('/srv/app/etc/passwd');
    expect(resolveStaticPath('/srv/app', 'relative')).toBeUndefined();
  });

  it('refuses a root that does not exist', () => {
    expect(() => staticHandler({ root: join(dir, 'nope') })).toThrow(TypeError);
  });
});
