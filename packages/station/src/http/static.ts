import { createReadStream, realpathSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { RouteHandler } from './router.js';

const gzip = promisify(gzipCallback);

/** Content types by file extension; anything else is served as `application/octet-stream`. */
export const STATIC_CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
});

/** Types worth compressing (text); images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.webmanifest', '.txt', '.svg']);

/**
 * The page's Content-Security-Policy: scripts, styles and workers only from the station itself; WebSocket
 * connections to any station (the app talks to the one that served it by default); images may also be
 * `blob:` (decrypted attachments) or remote (avatars in visas).
 */
export const STATIC_CSP =
  "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' blob: data: https: http:; connect-src 'self' ws: wss: http: https:; object-src 'none'; " +
  "base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export interface StaticOptions {
  /** The directory served (e.g. the web app's `dist/`). Must exist when the handler is created. */
  readonly root: string;
  /** The file served for `/` and for any directory path. Default `index.html`. */
  readonly index?: string;
  /**
   * Path prefix (below the URL path the route is mounted at) whose files have content-hashed names and may be
   * cached for a year (`immutable`). Default `/assets/` (Vite's output). Everything else is `no-cache`
   * (revalidated with its ETag each time).
   */
  readonly immutablePrefix?: string;
  /** Files at most this large are compressed (once, then kept in memory). Default 4 MiB. */
  readonly maxGzipBytes?: number;
  /** Total bytes of compressed copies kept in memory; beyond it the oldest are dropped. Default 32 MiB. */
  readonly gzipCacheBytes?: number;
}

const DEFAULTS = { index: 'index.html', immutablePrefix: '/assets/', maxGzipBytes: 4 << 20, gzipCacheBytes: 32 << 20 };

/** The decoded path inside the root, or undefined when it cannot name a file there (traversal, NUL, bad escape). */
export function resolveStaticPath(root: string, urlPath: string, index = DEFAULTS.index): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '');
  // Refuse `..`, `.` and hidden files outright rather than normalising them away: no legitimate asset needs them.
  if (segments.some((s) => s.startsWith('.'))) return undefined;
  if (decoded.endsWith('/')) segments.push(index);
  if (segments.length === 0) segments.push(index);
  const full = join(root, ...segments);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return full;
}

function notFound(res: ServerResponse): void {
  const text = '{"error":"not_found"}';
  res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'content-length': text.length });
  res.end(text);
}

function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  // `gzip;q=0` means "not gzip".
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    if (name?.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function etagMatches(req: IncomingMessage, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}` || `W/${t}` === etag;
  });
}

/**
 * A handler serving the files below `root` (mount it as `GET /*`): `/` and directory paths serve the index
 * file; paths with `..`, `.`-segments (hidden files), backslashes, NUL or bad escapes, and anything resolving
 * outside the root (symlinks included) are 404. Content type by extension, `X-Content-Type-Options: nosniff`,
 * the CSP on HTML, weak ETags with 304 answers, year-long `immutable` caching for hashed assets and `no-cache`
 * otherwise, gzip for text types when the client accepts it (compressed once per file version and cached in
 * memory). Throws TypeError when `root` is not a directory.
 */
export function staticHandler(options: StaticOptions): RouteHandler {
  const index = options.index ?? DEFAULTS.index;
  const immutablePrefix = options.immutablePrefix ?? DEFAULTS.immutablePrefix;
  const maxGzipBytes = options.maxGzipBytes ?? DEFAULTS.maxGzipBytes;
  const cacheLimit = options.gzipCacheBytes ?? DEFAULTS.gzipCacheBytes;
  let root: string;
  try {
    root = realpathSync(options.root);
  } catch (cause) {
    throw new TypeError(`staticHandler: root ${options.root} does not exist`, { cause });
  }
  const gzipCache = new Map<string, Uint8Array>();
  let cachedBytes = 0;

  async function compressed(path: string, etag: string): Promise<Uint8Array> {
    const key = `${path}\n${etag}`;
    const hit = gzipCache.get(key);
    if (hit !== undefined) return hit;
    const body = new Uint8Array(await gzip(await readFile(path), { level: 9 }));
    gzipCache.set(key, body);
    cachedBytes += body.length;
    for (const [k, v] of gzipCache) {
      if (cachedBytes <= cacheLimit) break;
      gzipCache.delete(k);
      cachedBytes -= v.length;
    }
    return body;
  }

  return async (req, res, url) => {
    const candidate = resolveStaticPath(root, url.pathname, index);
    if (candidate === undefined) return notFound(res);
    let path: string;
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      path = await realpath(candidate);
      info = await stat(path);
    } catch {
      return notFound(res);
    }
    if (!path.startsWith(root + sep) || !info.isFile()) return notFound(res);

    const ext = extname(path).toLowerCase();
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers: Record<string, string | number> = {
      'content-type': STATIC_CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'cache-control': url.pathname.startsWith(immutablePrefix) ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag,
      'last-modified': info.mtime.toUTCString(),
    };
    if (ext === '.html') {
      headers['content-security-policy'] = STATIC_CSP;
      headers['referrer-policy'] = 'no-referrer';
    }
    const compressible = COMPRESSIBLE.has(ext) && info.size <= maxGzipBytes && info.size > 256;
    if (compressible) headers['vary'] = 'Accept-Encoding';
    if (etagMatches(req, etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    if (compressible && acceptsGzip(req)) {
      const body = await compressed(path, etag);
      res.writeHead(200, { ...headers, 'content-encoding': 'gzip', 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': info.size });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(path);
      stream.on('error', reject);
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
  };
}
