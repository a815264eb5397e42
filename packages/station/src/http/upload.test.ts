import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeBackend } from '@dimkit/crypto-node';
import { createIdentity, type Identity } from '@dimkit/protocol/account';
import { encodeBase64, encodeUtf8 } from '@dimkit/protocol/encoding';
import { HttpRouter } from './router.js';
import { RateLimiter } from './_rate-limiter.js';
import { createFileService, fileExtension, uploadSigningText, type FileServiceOptions } from './upload.js';

let alice: Identity;
let mallory: Identity;
const dirs: string[] = [];
let server: Server | undefined;

beforeAll(() => {
  alice = createIdentity({ name: 'alice', backend: nodeBackend });
  mallory = createIdentity({ name: 'mallory', backend: nodeBackend });
});
afterEach(async () => {
  const s = server;
  server = undefined;
  if (s === undefined) return;
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function serve(options: Partial<FileServiceOptions> = {}): Promise<{ base: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dim-upload-'));
  dirs.push(dir);
  const files = createFileService({
    dir: join(dir, 'files'),
    maxBytes: 1024,
    uploadsPerMinute: 0,
    maxConcurrent: 4,
    stallTimeoutMs: 5_000,
    maxClockSkewSeconds: 600,
    // The station knows alice (she handshaked), not mallory.
    verifyKeys: async (id) => (id === alice.id.text ? [alice.meta.key] : undefined),
    ...options,
  });
  const router = new HttpRouter()
    .post('/upload', files.upload)
    .route('OPTIONS', '/upload', files.preflight)
    .get('/files/*', files.download);
  server = createServer(router.handle);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, dir: join(dir, 'files') };
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function signed(who: Identity, body: Uint8Array, time = Math.floor(Date.now() / 1000)): Record<string, string> {
  const digest = sha256(body);
  const text = uploadSigningText(who.id.text, time, digest);
  return {
    'x-dim-sender': who.id.text,
    'x-dim-time': String(time),
    'x-dim-digest': digest,
    'x-dim-signature': encodeBase64(who.privateKey.sign(encodeUtf8(text))),
  };
}

async function post(base: string, body: Uint8Array, headers: Record<string, string>, query = '') {
  const res = await fetch(`${base}/upload${query}`, { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** A chunked upload (no Content-Length) fed slowly, `chunks` pieces of `size` bytes. */
function chunked(
  base: string,
  headers: Record<string, string>,
  chunks: number,
  size: number,
  gapMs = 5,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const url = new URL(`${base}/upload`);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    let sent = 0;
    const next = () => {
      if (req.destroyed) return;
      if (sent === chunks) {
        req.end();
        return;
      }
      sent++;
      req.write(new Uint8Array(size).fill(sent));
      setTimeout(next, gapMs);
    };
    next();
  });
}

describe('file service: POST /upload', () => {
  it('stores a signed upload under its SHA-256 and extension and serves it back byte for byte', async () => {
    const { base, dir } = await serve();
    const body = new Uint8Array(700).map((_, i) => (i * 7) & 0xff);
    const up = await post(base, body, signed(alice, body), '?filename=Photo.PNG');
    expect(up.status).toBe(201);
    const name = `${sha256(body)}.png`;
    expect(up.body).toEqual({ URL: `${base}/files/${name}`, name, length: 700 });
    expect(new Uint8Array(readFileSync(join(dir, name)))).toEqual(body);
    expect(readdirSync(dir)).toEqual([name]); // no temporary file left

    const got = await fetch(up.body['URL'] as string);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(body);
    const etag = got.headers.get('etag')!;
    expect(etag).toBe(`"${sha256(body)}"`);
    expect((await fetch(up.body['URL'] as string, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const head = await fetch(up.body['URL'] as string, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('700');
  });

  it('answers 200 for the same bytes again (content-addressed, nothing rewritten)', async () => {
    const { base, dir } = await serve();
    const body = encodeUtf8('same bytes');
    expect((await post(base, body, signed(alice, body))).status).toBe(201);
    const again = await post(base, body, signed(alice, body));
    expect(again.status).toBe(200);
    expect(again.body['name']).toBe(sha256(body));
    expect(readdirSync(dir)).toEqual([sha256(body)]);
  });

  it('refuses unsigned, unknown, forged and stale uploads with 401 and stores nothing', async () => {
    const { base, dir } = await serve();
    const body = encodeUtf8('secret-ish ciphertext');
    const good = signed(alice, body);
    const cases: Record<string, string>[] = [
      {},
      signed(mallory, body), // a valid signature by a user the station does not know
      { ...good, 'x-dim-signature': signed(mallory, body)['x-dim-signature']! }, // mallory signs as alice
      signed(alice, body, Math.floor(Date.now() / 1000) - 3600), // an hour old
      { ...good, 'x-dim-digest': good['x-dim-digest']!.toUpperCase() },
      { ...good, 'x-dim-sender': 'not an id' },
    ];
    for (const headers of cases) {
      const res = await post(base, body, headers);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'unauthenticated' });
      expect(res.headers.get('www-authenticate')).toMatch(/^DIM realm="upload"/);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a body that does not match its signed digest (400) and keeps nothing', async () => {
    const { base, dir } = await serve();
    const headers = signed(alice, encodeUtf8('what was signed'));
    const res = await post(base, encodeUtf8('what was sent!!'), headers);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'digest_mismatch' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('answers 413 on a declared Content-Length over the limit, before reading the body', async () => {
    const { base, dir } = await serve({ maxBytes: 1024 });
    const body = new Uint8Array(1025);
    const res = await post(base, body, signed(alice, body));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'too_large' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('answers 413 on a chunked body once it streams past the limit, and removes the partial file', async () => {
    const { base, dir } = await serve({ maxBytes: 1024 });
    const body = new Uint8Array(1200); // what the headers claim; the stream is cut off at 1024
    const res = await chunked(base, { ...signed(alice, body), 'transfer-encoding': 'chunked' }, 12, 100);
    expect(res).toMatchObject({ status: 413 });
    expect(JSON.parse((res as { body: string }).body)).toEqual({ error: 'too_large' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('accepts a chunked body within the limit', async () => {
    const { base } = await serve({ maxBytes: 1024 });
    const body = new Uint8Array(1000);
    for (let i = 0; i < 10; i++) body.fill(i + 1, i * 100, i * 100 + 100);
    const res = await chunked(base, { ...signed(alice, body), 'transfer-encoding': 'chunked' }, 10, 100);
    expect(res).toMatchObject({ status: 201 });
  });

  it('aborts an upload that stalls and leaves no partial file', async () => {
    const { base, dir } = await serve({ stallTimeoutMs: 100 });
    const body = new Uint8Array(300);
    const res = await chunked(base, { ...signed(alice, body), 'transfer-encoding': 'chunked' }, 3, 100, 400);
    expect(res).toHaveProperty('error');
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('limits uploads per IP with 429 and Retry-After', async () => {
    const { base } = await serve({ uploadsPerMinute: 2 });
    const body = encodeUtf8('x');
    expect((await post(base, body, signed(alice, body))).status).toBe(201);
    expect((await post(base, body, signed(alice, body))).status).toBe(200);
    const third = await post(base, body, signed(alice, body));
    expect(third.status).toBe(429);
    expect(third.body).toEqual({ error: 'rate_limited' });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses every upload with 403 when maxBytes is 0', async () => {
    const { base } = await serve({ maxBytes: 0 });
    const body = encodeUtf8('x');
    expect((await post(base, body, signed(alice, body))).status).toBe(403);
  });

  it('answers the CORS preflight', async () => {
    const { base } = await serve();
    const res = await fetch(`${base}/upload`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toContain('x-dim-signature');
  });
});

describe('file service: GET /files/', () => {
  it('serves only content-addressed names inside the directory', async () => {
    const { base, dir } = await serve();
    writeFileSync(join(dir, '..', 'station.db'), 'the station key');
    writeFileSync(join(dir, 'notes.txt'), 'not an upload');
    const digest = 'a'.repeat(64);
    for (const path of [
      '/files/../station.db',
      '/files/%2e%2e/station.db',
      '/files/%2e%2e%2fstation.db',
      '/files/notes.txt',
      `/files/${digest.toUpperCase()}`,
      `/files/${digest}`, // well-formed but absent
      `/files/${digest}/x`,
      '/files/',
    ]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain('station key');
    }
    expect(existsSync(join(dir, '..', 'station.db'))).toBe(true);
  });
});

describe('file service helpers', () => {
  it('keeps a short alphanumeric extension, lower-cased', () => {
    expect(fileExtension('a.JPG')).toBe('jpg');
    expect(fileExtension('archive.tar.gz')).toBe('gz');
    expect(fileExtension('noext')).toBeUndefined();
    expect(fileExtension('trailing.')).toBeUndefined();
    expect(fileExtension('evil.p/h')).toBeUndefined();
    expect(fileExtension('x.abcdefghijk')).toBeUndefined();
    expect(fileExtension(null)).toBeUndefined();
  });

  it('rate limiter: a full bucket, then one token per 60/perMinute seconds', () => {
    let t = 0;
    const limiter = new RateLimiter(3, { now: () => t });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(20_000);
    expect(limiter.take('b')).toBe(0);
    t = 20_000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });
});

describe('station config: files', () => {
  it('defaults to 16 MiB, 30 uploads a minute per IP, 8 at once, 30 s stall, no public URL', async () => {
    const { DEFAULT_STATION_CONFIG, parseStationConfig } = await import('../config.js');
    expect(DEFAULT_STATION_CONFIG.files).toEqual({
      maxBytes: 16 * 1024 * 1024,
      uploadsPerMinute: 30,
      maxConcurrent: 8,
      stallTimeoutMs: 30_000,
      publicUrl: undefined,
    });
    const config = parseStationConfig({ files: { maxBytes: 0, publicUrl: 'https://files.example.org' } });
    expect(config.files).toMatchObject({ maxBytes: 0, uploadsPerMinute: 30, publicUrl: 'https://files.example.org' });
  });

  it('refuses unknown keys and bad values with config.invalid', async () => {
    const { parseStationConfig } = await import('../config.js');
    for (const files of [
      { maxBytes: -1 },
      { maxBytes: 1.5 },
      { maxConcurrent: 0 },
      { uploadsPerMinute: 'many' },
      { publicUrl: 'files.example.org' },
      { maxSize: 1 },
    ]) {
      expect(() => parseStationConfig({ files }), JSON.stringify(files)).toThrow(
        expect.objectContaining({ code: 'config.invalid' }),
      );
    }
  });
});
