// Starts stations on free ports with a real SQLite file in a temp directory, and loads the vector users.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBackend } from '@dimkit/crypto-node';
import { parseIdentity, type Contact, type Identity } from '@dimkit/protocol/account';
import type { JsonObject } from '@dimkit/protocol/encoding';
import { vectorUser, readVector } from '../../../test/fixtures/vectors.js';
import { DimTestClient, type ClientTransport } from '../../../test/helpers/dim-client.js';
import { DATABASE_FILE, Station, parseStationConfig, silentLogger } from '../src/index.js';
import { SqliteStore } from '../src/store/index.js';

export interface TestStation {
  readonly station: Station;
  readonly port: number;
  readonly dataDir: string;
  /** Stops the station (and removes the data directory unless `keep`). */
  stop(options?: { keep?: boolean }): Promise<void>;
}

const identities = new Map<string, Identity>();

/** A vector user (alice, bob, carol, dave, erin, gate, robot) with its private keys. */
export function user(name: string): Identity {
  let identity = identities.get(name);
  if (identity === undefined) {
    identity = parseIdentity(name.includes('/') ? readVector(name) : vectorUser(name), nodeBackend);
    identities.set(name, identity);
  }
  return identity;
}

/** The public half of a user (what another client would know of it). */
export function contactOf(identity: Identity): Contact {
  return { id: identity.id, meta: identity.meta, visa: identity.visa };
}

export function tempDir(prefix = 'dim-station-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Starts a station on 127.0.0.1 and a free port. `config` is merged over test defaults (short deadlines);
 * `identity` pre-seeds the station identity (an identity file object), as if the data directory held it.
 */
export async function startStation(
  options: { config?: JsonObject; dataDir?: string; identity?: JsonObject } = {},
): Promise<TestStation> {
  const dataDir = options.dataDir ?? tempDir();
  if (options.identity !== undefined) {
    const store = new SqliteStore(join(dataDir, DATABASE_FILE));
    await store.identity.put(options.identity);
    await store.close();
  }
  const config = parseStationConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    logLevel: 'silent',
    ...options.config,
  });
  const station = new Station({ config, logger: silentLogger() });
  const address = await station.start();
  return {
    station,
    port: address.port,
    dataDir,
    async stop({ keep = false } = {}) {
      await station.stop();
      if (!keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A client of `user` connected over `transport` and handshaken. */
export function login(port: number, who: string | Identity, transport: ClientTransport = 'ws'): Promise<DimTestClient> {
  return DimTestClient.login({ port, transport, identity: typeof who === 'string' ? user(who) : who });
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The value of a metric series in Prometheus text (0 when absent). */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}
