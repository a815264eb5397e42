import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBackend } from '@dimkit/crypto-node';
import { DimError, isDimError } from '@dimkit/protocol';
import { createIdentity, identityToJson, parseIdentity, updateVisa, type Identity } from '@dimkit/protocol/account';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { EntityType } from '@dimkit/protocol/mkm';
import { DEFAULT_STATION_CONFIG, advertisedHost, type StationConfig } from './config.js';
import {
  createFileService,
  FILE_SERVICE_DEFAULTS,
  healthHandler,
  HttpRouter,
  metricsHandler,
  staticHandler,
} from './http/index.js';
import { createLogger, type StationLogger } from './logger.js';
import { MetricsRegistry } from './metrics/index.js';
import { Router, createStationMetrics, type StationMetrics } from './router/index.js';
import { SqliteStore, type Store } from './store/index.js';
import { TransportServer, type Connection, type ConnectionHandler } from './transport/index.js';

/** The SQLite file in the data directory. */
export const DATABASE_FILE = 'station.db';
/** The directory of uploaded (encrypted) files in the data directory. */
export const FILES_DIR = 'files';

/** The built web client (`packages/web/dist` beside this package), served at `/` when it exists. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export interface StationOptions {
  /** Default DEFAULT_STATION_CONFIG. */
  readonly config?: StationConfig;
  /** Default a JSON-lines logger on standard output at `config.logLevel`. */
  readonly logger?: StationLogger;
  /** Where metrics are registered; default a registry of the station's own. */
  readonly metrics?: MetricsRegistry;
  /** Directory of the web client served at `/` (default DEFAULT_WEB_ROOT, if built); `false` serves none. */
  readonly webRoot?: string | false;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * A DIM station: the transport (WebSocket, MTP and HTTP on one port), the store (SQLite in the data directory)
 * and the core (sessions, routing, inbox) wired together (design.md "station").
 *
 * `start()` opens the store, loads the station's identity from it or creates one on first start (a type-1 MKM
 * meta with an RSA key on network 0x02, and a visa with name, host and port, re-signed when those change),
 * purges expired inbox items, then listens. `stop()` drains: it stops accepting, closes every connection
 * (`shutdown`), lets messages still waiting for an acknowledgement fall back into the inbox, finishes every
 * store write, then closes the store.
 */
export class Station {
  readonly config: StationConfig;
  readonly metrics: MetricsRegistry;
  readonly log: StationLogger;
  #state: State = 'new';
  #store: Store | undefined;
  #identity: Identity | undefined;
  #router: Router | undefined;
  #transport: TransportServer | undefined;
  #stationMetrics: StationMetrics | undefined;
  #purgeTimer: ReturnType<typeof setInterval> | undefined;
  #stopping: Promise<void> | undefined;
  readonly #webRoot: string | false;

  constructor(options: StationOptions = {}) {
    this.#webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
    this.config = options.config ?? DEFAULT_STATION_CONFIG;
    this.log = options.logger ?? createLogger({ level: this.config.logLevel });
    this.metrics = options.metrics ?? new MetricsRegistry();
  }

  /** The station's identity (after `start()`). */
  get identity(): Identity {
    if (this.#identity === undefined) throw new Error('station: not started');
    return this.#identity;
  }

  /** The bound address (after `start()`). */
  address(): AddressInfo {
    const address = this.#transport?.address();
    if (address == null) throw new Error('station: not listening');
    return address;
  }

  /** The core (after `start()`): presence, contacts. */
  get router(): Router {
    if (this.#router === undefined) throw new Error('station: not started');
    return this.#router;
  }

  /** Starts the station; resolves with the bound address. Throws DimError('store.*', 'config.invalid'). */
  async start(): Promise<AddressInfo> {
    if (this.#state !== 'new') throw new Error(`station: cannot start when ${this.#state}`);
    this.#state = 'starting';
    const config = this.config;
    try {
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw new DimError('config.invalid', `cannot create the data directory ${config.dataDir}`, { cause });
    }
    const file = join(config.dataDir, DATABASE_FILE);
    const store = new SqliteStore(file, {
      retentionSeconds: config.inbox.retentionSeconds,
      maxPerReceiver: config.inbox.maxPerReceiver,
    });
    this.#store = store;
    keepPrivate(file, config.dataDir, this.log);
    try {
      const metrics = createStationMetrics(this.metrics);
      this.#stationMetrics = metrics;
      const identity = await loadIdentity(store, config, this.log);

      // The core is created once the bound port is known (it goes into the visa); connections cannot arrive
      // before `listen()` resolves, and the handler refuses any that would.
      const handler: ConnectionHandler = {
        onOpen: (conn: Connection) => (this.#router === undefined ? conn.close('shutdown') : this.#router.onOpen(conn)),
        onPayload: (conn, payload) => this.#router?.onPayload(conn, payload),
        onClose: (conn, reason) => this.#router?.onClose(conn, reason),
      };
      const http = new HttpRouter({ onError: (err) => this.log.warn({ err }, 'http handler failed') });
      http.get(
        '/healthz',
        healthHandler(() => ({
          id: this.#identity?.id.text,
          users: this.#router?.presence.users ?? 0,
          sessions: this.#router?.presence.sessions ?? 0,
        })),
      );
      http.get('/metrics', metricsHandler(this.metrics));
      // Uploads are signed by users the station knows (their meta from a handshake); docs/operations.md.
      const files = createFileService({
        ...config.files,
        dir: join(config.dataDir, FILES_DIR),
        maxClockSkewSeconds: FILE_SERVICE_DEFAULTS.maxClockSkewSeconds,
        verifyKeys: async (id) => (await this.#router?.contacts.get(id))?.verifyKeys,
      });
      http.post('/upload', files.upload).route('OPTIONS', '/upload', files.preflight).get('/files/*', files.download);
      if (this.#webRoot !== false && existsSync(join(this.#webRoot, 'index.html'))) {
        http.get('/*', staticHandler({ root: this.#webRoot }));
      }
      const transport = new TransportServer({
        ...config.transport,
        host: config.host,
        port: config.port,
        handler,
        onRequest: http.handle,
        metrics: this.metrics,
        logger: this.log,
      });
      this.#transport = transport;
      const address = await transport.listen();

      const advertised = await advertise(store, identity, config, address.port);
      this.#identity = advertised;
      this.#router = new Router({
        station: advertised,
        store,
        metrics,
        log: this.log,
        session: config.session,
        inbox: config.inbox,
        ans: config.ans,
        backend: nodeBackend,
        maxMessageBytes: transport.options.maxPayloadBytes,
        maxUnsentBytes: transport.options.maxUnsentBytes,
      });

      await this.#purge();
      metrics.inboxDepth.set(await store.inbox.total());
      this.#purgeTimer = setInterval(() => void this.#purge(), config.inbox.purgeIntervalSeconds * 1000);
      this.#purgeTimer.unref();
      this.#state = 'running';
      this.log.info(
        { id: advertised.id.text, host: address.address, port: address.port, dataDir: config.dataDir },
        'station listening',
      );
      return address;
    } catch (error) {
      await this.#transport?.close();
      await store.close();
      this.#state = 'stopped';
      throw error;
    }
  }

  /**
   * Drains and stops (SIGTERM): stops accepting, closes connections (`shutdown`), lets unacknowledged messages
   * fall back into the inbox, finishes store writes, closes the store. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const previous = this.#state;
    this.#state = 'stopping';
    if (previous === 'new') {
      this.#state = 'stopped';
      return;
    }
    clearInterval(this.#purgeTimer);
    this.log.info({}, 'station stopping');
    // Receipts waiting for their pacing token leave before the connections close behind them.
    this.#router?.flushReceipts();
    await this.#transport?.close();
    await this.#router?.close();
    await this.#store?.close();
    this.#state = 'stopped';
    this.log.info({}, 'station stopped');
  }

  async #purge(): Promise<void> {
    const store = this.#store;
    if (store === undefined) return;
    try {
      const purged = await store.inbox.purgeExpired(Date.now() / 1000);
      if (purged > 0) {
        this.#stationMetrics?.inbox.inc({ result: 'purged' }, purged);
        this.#stationMetrics?.inboxDepth.dec(purged);
        this.log.info({ purged }, 'expired inbox messages purged');
      }
    } catch (error) {
      if (!isDimError(error)) throw error;
      this.log.warn({ code: error.code }, 'inbox purge failed');
    }
  }
}

/** The station identity kept in the store, or a new one (stored before it is used). */
async function loadIdentity(store: Store, config: StationConfig, log: StationLogger): Promise<Identity> {
  const stored = await store.identity.get();
  if (stored !== undefined) {
    const identity = parseIdentity(stored, nodeBackend);
    if (identity.id.type !== EntityType.STATION) {
      throw new DimError('config.invalid', `the stored identity ${identity.id.text} is not a station`);
    }
    return identity;
  }
  const identity = createIdentity({
    kind: 'mkm',
    entity: 'station',
    seed: 'station',
    name: config.advertise.name,
    properties: { host: advertisedHost(config), port: config.advertise.port ?? config.port },
    backend: nodeBackend,
  });
  await store.identity.put(identityToJson(identity));
  log.info({ id: identity.id.text }, 'station identity created');
  return identity;
}

/** Re-signs the visa when the name, host or port it shows differ from the configured ones. */
async function advertise(store: Store, identity: Identity, config: StationConfig, port: number): Promise<Identity> {
  const wanted: JsonObject = {
    name: config.advertise.name,
    host: advertisedHost(config),
    port: config.advertise.port ?? port,
  };
  const current = identity.visa?.properties ?? {};
  if (Object.entries(wanted).every(([key, value]) => current[key] === value)) return identity;
  const updated = updateVisa(identity, wanted);
  await store.identity.put(identityToJson(updated));
  return updated;
}

/**
 * The database holds the station's private key: make the file readable by its owner only, and warn when the
 * data directory itself is open to others (an operator-made directory is left as it is).
 */
function keepPrivate(file: string, dir: string, log: StationLogger): void {
  try {
    chmodSync(file, 0o600);
    if ((statSync(dir).mode & 0o077) !== 0) {
      log.warn({ dataDir: dir }, 'the data directory is accessible to other users; it holds the station key');
    }
  } catch (error) {
    log.warn({ err: error, dataDir: dir }, 'cannot restrict access to the database file');
  }
}
