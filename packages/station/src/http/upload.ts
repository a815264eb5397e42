import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isDimError } from '@dimkit/protocol';
import type { VerifyKey } from '@dimkit/protocol/crypto';
import { decodeBase64, encodeUtf8 } from '@dimkit/protocol/encoding';
import { parseId, withoutTerminal } from '@dimkit/protocol/mkm';
import { RateLimiter } from './_rate-limiter.js';
import type { RouteHandler } from './router.js';

/**
 * The station's file service (wire spec §5.1; the reference runs a separate file server, station spec §1.1 and
 * §4 item 8): `POST /upload` stores an (already encrypted) file under a content-addressed name in
 * `<dataDir>/files/`, `GET /files/<name>` serves it back. The station never sees a file key: it keeps only
 * ciphertext.
 */
export interface FileServiceOptions {
  /** Where files are kept (created if missing). */
  readonly dir: string;
  /** Largest upload in bytes; larger ones are refused with 413 (declared or counted while streaming). 0 = uploads off. */
  readonly maxBytes: number;
  /** Uploads one remote IP may start per minute (token bucket; 429 past it). 0 = no limit. */
  readonly uploadsPerMinute: number;
  /** Uploads in progress at once, station-wide (503 past it). */
  readonly maxConcurrent: number;
  /** An upload that receives nothing this long is aborted. */
  readonly stallTimeoutMs: number;
  /** How far `X-Dim-Time` may be from the station's clock, in seconds. */
  readonly maxClockSkewSeconds: number;
  /** Base of the URLs handed out (`<publicUrl>/files/<name>`); default `http://<Host header>`. */
  readonly publicUrl?: string | undefined;
  /** The keys a user's upload signature may verify with; undefined when the station knows no meta for `id`. */
  readonly verifyKeys: (id: string) => Promise<readonly VerifyKey[] | undefined>;
  /** Clock in milliseconds (tests). Default Date.now. */
  readonly now?: () => number;
}

export const FILE_SERVICE_DEFAULTS = Object.freeze({
  maxBytes: 16 * 1024 * 1024,
  uploadsPerMinute: 30,
  maxConcurrent: 8,
  stallTimeoutMs: 30_000,
  maxClockSkewSeconds: 600,
});

/** The request headers of an upload (lower case, as Node reports them). */
export const UPLOAD_HEADERS = Object.freeze({
  sender: 'x-dim-sender',
  time: 'x-dim-time',
  digest: 'x-dim-digest',
  signature: 'x-dim-signature',
});

/**
 * The text a user signs to upload a file: `dim upload`, its ID, the time (integer seconds, as in the
 * `X-Dim-Time` header) and the lower-case hex SHA-256 of the body, one per line. The client builds the same
 * text (`@dimkit/client/core` `uploadSigningText`); a test checks that the two agree.
 */
export function uploadSigningText(sender: string, time: number, digest: string): string {
  return `dim upload\n${sender}\n${time}\n${digest}`;
}

/** `<sha256 hex>` or `<sha256 hex>.<ext>`: the only names `GET /files/` serves. */
const FILE_NAME = /^[0-9a-f]{64}(\.[a-z0-9]{1,10})?$/;
const DIGEST = /^[0-9a-f]{64}$/;
const EXTENSION = /^[a-z0-9]{1,10}$/;
/** Bytes read and thrown away after refusing an upload, so that the client can read the answer before the close. */
const DISCARD_BYTES = 1024 * 1024;

/** The extension kept from an uploaded file's name (`photo.JPG` → `jpg`), or undefined. */
export function fileExtension(filename: string | null | undefined): string | undefined {
  if (filename === null || filename === undefined) return undefined;
  const dot = filename.lastIndexOf('.');
  if (dot < 0 || dot === filename.length - 1) return undefined;
  const ext = filename.slice(dot + 1).toLowerCase();
  return EXTENSION.test(ext) ? ext : undefined;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...CORS,
    ...headers,
  });
  res.end(text);
}

/** Uploads are signed, not cookie-authenticated, and downloads are ciphertext: any origin may use them. */
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': `content-type, ${Object.values(UPLOAD_HEADERS).join(', ')}`,
  'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
};

/**
 * Answers an error before the body was read, then reads (and drops) a little of what the client is still
 * sending and closes: closing on unread bytes makes the peer's kernel send a reset, which can destroy the
 * answer before the client reads it.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, error: string, headers = {}): void {
  json(res, status, { error }, { connection: 'close', ...headers });
  let dropped = 0;
  const timer = setTimeout(() => req.socket.destroy(), 2_000);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_BYTES) req.socket.destroy();
  });
  req.on('end', () => clearTimeout(timer));
  req.resume();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value.length > 0 && value.length <= 4096 ? value : undefined;
}

class TooLarge extends Error {}
class Stalled extends Error {}

/** The file service's two handlers plus the CORS preflight; mount them with `mountFileService`. */
export interface FileService {
  /** `POST /upload`. */
  readonly upload: RouteHandler;
  /** `GET /files/*` (and HEAD). */
  readonly download: RouteHandler;
  /** `OPTIONS /upload` (CORS preflight). */
  readonly preflight: RouteHandler;
}

/**
 * Creates the file service. `POST /upload[?filename=NAME]` with the raw encrypted bytes as the body (any
 * content type; `Content-Length` or chunked) and the headers `X-Dim-Sender` (a user ID the station knows),
 * `X-Dim-Time` (integer seconds, within `maxClockSkewSeconds`), `X-Dim-Digest` (hex SHA-256 of the body) and
 * `X-Dim-Signature` (Base64 signature of `uploadSigningText` by the user's meta or visa key). Checks, in
 * order: the per-IP rate (429, `Retry-After`), the concurrency cap (503), the declared size (413), the
 * signature (401 `unauthenticated`), then streams the body into a temporary file while hashing and counting
 * (413 past `maxBytes`, 400 `digest_mismatch`), and renames it atomically to `<digest>[.<ext>]` (the extension
 * of `filename`). Answers 201 (200 when the file was there already) with `{URL, name, length}`.
 */
export function createFileService(options: FileServiceOptions): FileService {
  const now = options.now ?? Date.now;
  const limiter = new RateLimiter(options.uploadsPerMinute, { now });
  let active = 0;
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });

  function publicBase(req: IncomingMessage): string {
    if (options.publicUrl !== undefined) return options.publicUrl.replace(/\/+$/, '');
    const host = req.headers.host;
    return typeof host === 'string' && /^[A-Za-z0-9.\-:[\]]{1,255}$/.test(host) ? `http://${host}` : 'http://127.0.0.1';
  }

  async function authenticated(req: IncomingMessage): Promise<{ digest: string } | string> {
    const sender = header(req, UPLOAD_HEADERS.sender);
    const time = header(req, UPLOAD_HEADERS.time);
    const digest = header(req, UPLOAD_HEADERS.digest);
    const signature = header(req, UPLOAD_HEADERS.signature);
    if (sender === undefined || time === undefined || digest === undefined || signature === undefined) {
      return 'missing X-Dim-Sender, X-Dim-Time, X-Dim-Digest or X-Dim-Signature';
    }
    if (!DIGEST.test(digest)) return 'X-Dim-Digest must be 64 lower-case hex digits';
    const seconds = Number(time);
    if (!/^\d{1,12}$/.test(time) || Math.abs(seconds - now() / 1000) > options.maxClockSkewSeconds) {
      return 'X-Dim-Time is not the current time';
    }
    let id: string;
    let sig: Uint8Array;
    try {
      const parsed = parseId(sender);
      if (!parsed.isUser) return 'X-Dim-Sender is not a user';
      id = withoutTerminal(parsed).text;
      sig = decodeBase64(signature);
    } catch (error) {
      if (isDimError(error)) return 'X-Dim-Sender or X-Dim-Signature is malformed';
      throw error;
    }
    const keys = await options.verifyKeys(id);
    if (keys === undefined) return 'unknown sender: connect to the station once first';
    const data = encodeUtf8(uploadSigningText(sender, seconds, digest));
    return keys.some((key) => key.verify(data, sig)) ? { digest } : 'bad signature';
  }

  /**
   * Streams the body into a temporary file in `dir`, hashing and counting; answers its digest and length.
   * Rejects with TooLarge past `maxBytes` (the request is left readable, so that 413 can still be answered),
   * Stalled when nothing arrives for `stallTimeoutMs` or the client goes away.
   */
  function receive(req: IncomingMessage, temp: string): Promise<{ digest: string; length: number }> {
    return new Promise((resolve, reject) => {
      const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
      const hash = createHash('sha256');
      let length = 0;
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.off('data', onData);
        req.off('end', onEnd);
        out.destroy();
        // Wait for the file to be closed, so that the caller can remove it.
        if (out.closed) reject(error);
        else out.once('close', () => reject(error));
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => fail(new Stalled()), options.stallTimeoutMs);
      };
      const onData = (chunk: Buffer) => {
        length += chunk.length;
        if (length > options.maxBytes) return fail(new TooLarge());
        hash.update(chunk);
        arm();
        if (!out.write(chunk)) {
          req.pause();
          out.once('drain', () => {
            if (!settled) req.resume();
          });
        }
      };
      const onEnd = () => {
        clearTimeout(timer);
        out.end(() => {
          if (settled) return;
          settled = true;
          resolve({ digest: hash.digest('hex'), length });
        });
      };
      out.on('error', fail);
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', () => fail(new Stalled()));
      req.on('close', () => {
        if (!req.complete) fail(new Stalled());
      });
      arm();
    });
  }

  /** Makes the file durable before it becomes visible under its name. */
  async function sync(path: string): Promise<void> {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  const upload: RouteHandler = async (req, res, url) => {
    if (options.maxBytes === 0) return refuse(req, res, 403, 'uploads_disabled');
    const ip = req.socket.remoteAddress ?? 'unknown';
    const wait = limiter.take(ip);
    if (wait > 0) return refuse(req, res, 429, 'rate_limited', { 'retry-after': String(Math.ceil(wait / 1000)) });
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > options.maxBytes) {
      return refuse(req, res, 413, 'too_large');
    }
    if (active >= options.maxConcurrent) return refuse(req, res, 503, 'busy', { 'retry-after': '1' });
    active++;
    try {
      const auth = await authenticated(req);
      if (typeof auth === 'string') {
        return refuse(req, res, 401, 'unauthenticated', { 'www-authenticate': `DIM realm="upload", error="${auth}"` });
      }
      const ext = fileExtension(url.searchParams.get('filename'));
      const name = ext === undefined ? auth.digest : `${auth.digest}.${ext}`;
      const temp = join(options.dir, `.upload-${randomBytes(8).toString('hex')}.tmp`);
      let received: { digest: string; length: number };
      try {
        received = await receive(req, temp);
        await sync(temp);
      } catch (error) {
        await rm(temp, { force: true });
        if (error instanceof TooLarge) return refuse(req, res, 413, 'too_large');
        if (error instanceof Stalled) {
          req.socket.destroy();
          return;
        }
        throw error;
      }
      if (received.digest !== auth.digest) {
        await rm(temp, { force: true });
        return json(res, 400, { error: 'digest_mismatch' });
      }
      const target = join(options.dir, name);
      const existed = await stat(target).then(
        () => true,
        () => false,
      );
      if (existed) await rm(temp, { force: true });
      else await rename(temp, target);
      json(res, existed ? 200 : 201, { URL: `${publicBase(req)}/files/${name}`, name, length: received.length });
    } finally {
      active--;
    }
  };

  const download: RouteHandler = async (req, res, url) => {
    const name = url.pathname.slice('/files/'.length);
    if (!FILE_NAME.test(name)) return json(res, 404, { error: 'not_found' });
    const path = join(options.dir, name);
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) return json(res, 404, { error: 'not_found' });
      size = info.size;
    } catch {
      return json(res, 404, { error: 'not_found' });
    }
    // The name is the digest of the bytes: it never changes, so it is a strong ETag and may be cached forever.
    const etag = `"${name.slice(0, 64)}"`;
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'content-disposition': 'attachment',
      'cache-control': 'public, max-age=31536000, immutable',
      etag,
      ...CORS,
    };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': size });
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

  const preflight: RouteHandler = (_req, res) => {
    res.writeHead(204, { ...CORS, 'access-control-max-age': '86400' });
    res.end();
  };

  return { upload, download, preflight };
}
