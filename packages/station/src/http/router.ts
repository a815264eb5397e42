import type { IncomingMessage, ServerResponse } from 'node:http';

/** A route's handler; `url` is the parsed request URL (path and query). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

interface PrefixRoute {
  readonly method: string;
  readonly prefix: string;
  readonly handler: RouteHandler;
}

const METHOD = /^[A-Z]+$/;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Routes plain HTTP requests by method and path. A path is exact (`/healthz`) or a prefix ending in
 * `/*` (`/static/*` matches `/static/` and everything below it; the longest prefix wins). `HEAD` falls
 * back to the `GET` handler. Unknown paths get 404, known paths with another method 405 (with `Allow`),
 * an unparsable URL 400, a throwing or rejecting handler 500; all as JSON `{ error }`.
 */
export class HttpRouter {
  readonly #onError: (err: unknown, req: IncomingMessage) => void;
  readonly #exact = new Map<string, Map<string, RouteHandler>>();
  readonly #prefixes: PrefixRoute[] = [];

  /** `onError` hears about handlers that threw or rejected (to log them); the client gets a 500. */
  constructor(options: { onError?: (err: unknown, req: IncomingMessage) => void } = {}) {
    this.#onError = options.onError ?? (() => {});
  }

  /** Adds a route; throws TypeError on a bad method or path, or if the same route exists already. */
  route(method: string, path: string, handler: RouteHandler): this {
    if (typeof method !== 'string' || !METHOD.test(method)) {
      throw new TypeError(`HttpRouter: expected an upper-case method, got ${JSON.stringify(method)}`);
    }
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new TypeError(`HttpRouter: expected a path starting with /, got ${JSON.stringify(path)}`);
    }
    if (typeof handler !== 'function') throw new TypeError('HttpRouter: expected a handler function');
    if (path.endsWith('/*')) {
      const prefix = path.slice(0, -1);
      if (this.#prefixes.some((r) => r.method === method && r.prefix === prefix)) {
        throw new TypeError(`HttpRouter: ${method} ${path} is already routed`);
      }
      this.#prefixes.push({ method, prefix, handler });
      this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
      return this;
    }
    let methods = this.#exact.get(path);
    if (methods === undefined) this.#exact.set(path, (methods = new Map()));
    if (methods.has(method)) throw new TypeError(`HttpRouter: ${method} ${path} is already routed`);
    methods.set(method, handler);
    return this;
  }

  get(path: string, handler: RouteHandler): this {
    return this.route('GET', path, handler);
  }

  post(path: string, handler: RouteHandler): this {
    return this.route('POST', path, handler);
  }

  /** The request handler to give the transport (`onRequest`). */
  readonly handle = (req: IncomingMessage, res: ServerResponse): Promise<void> => this.#handle(req, res);

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      sendJson(res, 400, { error: 'bad_request' });
      return;
    }
    const method = req.method ?? 'GET';
    const allowed = this.#methodsFor(url.pathname);
    if (allowed.size === 0) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    const handler = allowed.get(method) ?? (method === 'HEAD' ? allowed.get('GET') : undefined);
    if (handler === undefined) {
      const allow = [...allowed.keys()];
      if (allowed.has('GET')) allow.push('HEAD');
      sendJson(res, 405, { error: 'method_not_allowed' }, { allow: allow.join(', ') });
      return;
    }
    try {
      await handler(req, res, url);
    } catch (err) {
      this.#onError(err, req);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal' });
      else res.destroy();
    }
  }

  /** Handlers for a path by method: the exact route if any, else the longest matching prefix per method. */
  #methodsFor(path: string): Map<string, RouteHandler> {
    const exact = this.#exact.get(path);
    if (exact !== undefined) return exact;
    const found = new Map<string, RouteHandler>();
    for (const r of this.#prefixes) {
      if (path.startsWith(r.prefix) && !found.has(r.method)) found.set(r.method, r.handler);
    }
    return found;
  }
}
