import { readFileSync } from 'node:fs';
import { DimError } from '@dimkit/protocol';
import { isJsonObject, type JsonObject } from '@dimkit/protocol/encoding';
import { parseId } from '@dimkit/protocol/mkm';
import { DEFAULT_MAX_PER_RECEIVER, DEFAULT_RETENTION_SECONDS } from './store/index.js';
import { TRANSPORT_DEFAULTS, type TransportOptions } from './transport/index.js';

/** Log levels the station accepts (pino's, plus `silent`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Everything a station can be told, each with a documented default (docs/operations.md lists them).
 * Sizes are bytes, durations milliseconds unless the name says seconds.
 */
export interface StationConfig {
  /** Address to bind. Default `0.0.0.0`. */
  readonly host: string;
  /** TCP port for WebSocket, MTP and HTTP (station spec §1.1). Default 9394; 0 picks a free one. */
  readonly port: number;
  /** Where the SQLite database (and with it the station's identity) lives. Default `./.data`. */
  readonly dataDir: string;
  /** What the station's visa says about it (clients show it; the login command names host/port). */
  readonly advertise: {
    /** Display name in the visa. Default `dimkit station`. */
    readonly name: string;
    /** Host clients reach the station at. Default: `host`, or `127.0.0.1` when `host` is a wildcard. */
    readonly host: string | undefined;
    /** Port clients reach the station at. Default: the bound port. */
    readonly port: number | undefined;
  };
  readonly logLevel: LogLevel;
  /** Limits of the transport (see transport/options.ts); host and port come from above. */
  readonly transport: Omit<TransportOptions, 'host' | 'port'>;
  readonly session: {
    /** A connection that has not completed the handshake by then is closed (`handshake.timeout`). Default 30 s. */
    readonly handshakeTimeoutMs: number;
    /** Messages kept from a connection before its handshake, replayed after `DIM!` (station spec §2.2). Default 32. */
    readonly maxSuspended: number;
    /** Bytes of those suspended messages. Default 4 MiB. */
    readonly maxSuspendedBytes: number;
    /** Received messages waiting for processing before the connection is paused. Default 256. */
    readonly maxQueued: number;
    /** Bytes of those waiting messages before the connection is paused. Default 16 MiB. */
    readonly maxQueuedBytes: number;
    /** Relayed messages of one connection the station has not yet taken on (inbox writes) before it is paused. Default 1024. */
    readonly maxInFlight: number;
    /** Refused messages on one connection before it is closed (`refused.too_many`). Default 100. */
    readonly maxRefusals: number;
    /**
     * Signed receipt messages one connection gets at once (`receiptBurst`, default 4), then one per
     * `receiptIntervalMs` (default 250 ms). Receipts due in between wait and leave together, as one array
     * content with one signature (docs/compatibility.md): a person's receipts are not delayed, and no client
     * can make the station sign faster than that, whatever its message rate. `receiptIntervalMs` 0 = every
     * turn's receipts at the end of that turn.
     */
    readonly receiptIntervalMs: number;
    readonly receiptBurst: number;
  };
  readonly inbox: {
    /** Offline messages older than this are deleted (station spec §3.2: 7 days). */
    readonly retentionSeconds: number;
    /** Most offline messages one receiver may have waiting (station spec §3.2: 20 480). */
    readonly maxPerReceiver: number;
    /** Offline messages pushed to a receiver and not yet acknowledged, at most. Default 64. */
    readonly drainWindow: number;
    /**
     * Bytes of those messages, at most (one message always goes). Default 1 MiB; never more than half the
     * transport's `maxUnsentBytes`, so a drain cannot make its own receiver look like a slow reader.
     */
    readonly drainWindowBytes: number;
    /**
     * Messages pushed live to one receiver and not yet acknowledged, at most; past it, new messages for that
     * receiver wait in its inbox (in order) until acknowledgements come back. Default 256.
     */
    readonly liveWindow: number;
    /** Offline messages read from the store at a time. Default 256. */
    readonly drainBatch: number;
    /** How often expired messages are purged. Default 3600 s. */
    readonly purgeIntervalSeconds: number;
  };
  /**
   * ANS records (station spec §4 item 3, §5.3 `[ans]`): names such as `archivist` → the ID they stand for.
   * Messages to `<name>@anywhere` are delivered to that ID. Default none.
   */
  readonly ans: Readonly<Record<string, string>>;
  /** The file service on the HTTP port (`POST /upload`, `GET /files/…`; http/upload.ts, docs/operations.md). */
  readonly files: {
    /** Largest upload in bytes (413 past it); 0 turns uploads off. Default 16 MiB (the reference's limit). */
    readonly maxBytes: number;
    /** Uploads one IP may start per minute (429 past it); 0 = no limit. Default 30. */
    readonly uploadsPerMinute: number;
    /** Uploads in progress at once (503 past it). Default 8. */
    readonly maxConcurrent: number;
    /** An upload receiving nothing for this long is aborted. Default 30 s. */
    readonly stallTimeoutMs: number;
    /** Base of the file URLs handed out, e.g. `https://files.example.org`; default `http://<Host header>`. */
    readonly publicUrl: string | undefined;
  };
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

export const DEFAULT_STATION_CONFIG: StationConfig = Object.freeze({
  host: '0.0.0.0',
  port: TRANSPORT_DEFAULTS.port,
  dataDir: './.data',
  advertise: Object.freeze({ name: 'dimkit station', host: undefined, port: undefined }),
  logLevel: 'info',
  transport: Object.freeze({}),
  session: Object.freeze({
    handshakeTimeoutMs: 30_000,
    maxSuspended: 32,
    maxSuspendedBytes: 4 * 1024 * 1024,
    maxQueued: 256,
    maxQueuedBytes: 16 * 1024 * 1024,
    maxInFlight: 1024,
    maxRefusals: 100,
    receiptIntervalMs: 250,
    receiptBurst: 4,
  }),
  inbox: Object.freeze({
    retentionSeconds: DEFAULT_RETENTION_SECONDS,
    maxPerReceiver: DEFAULT_MAX_PER_RECEIVER,
    drainWindow: 64,
    drainWindowBytes: 1024 * 1024,
    drainBatch: 256,
    liveWindow: 256,
    purgeIntervalSeconds: 3600,
  }),
  ans: Object.freeze({}),
  files: Object.freeze({
    maxBytes: 16 * 1024 * 1024,
    uploadsPerMinute: 30,
    maxConcurrent: 8,
    stallTimeoutMs: 30_000,
    publicUrl: undefined,
  }),
}) as StationConfig;

/** The host written into the station's visa. */
export function advertisedHost(config: StationConfig): string {
  return config.advertise.host ?? (WILDCARD_HOSTS.has(config.host) ? '127.0.0.1' : config.host);
}

function fail(what: string, why: string): never {
  throw new DimError('config.invalid', `station config ${what}: ${why}`);
}

function integer(what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(what, `expected an integer ${min}..${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function text(what: string, value: unknown, allowEmpty = false): string {
  if (typeof value !== 'string' || (!allowEmpty && value.length === 0)) fail(what, 'expected a non-empty string');
  return value;
}

function section(what: string, value: unknown, known: readonly string[]): JsonObject {
  if (value === undefined) return {};
  if (!isJsonObject(value)) fail(what, 'expected an object');
  for (const key of Object.keys(value)) if (!known.includes(key)) fail(`${what}.${key}`, 'unknown option');
  return value;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const TRANSPORT_KEYS = Object.keys(TRANSPORT_DEFAULTS).filter((k) => k !== 'host' && k !== 'port');

/**
 * Reads a station config (a parsed JSON file, or options assembled by the CLI) over `base` (default
 * `DEFAULT_STATION_CONFIG`): unknown keys, wrong types and out-of-range values throw
 * DimError('config.invalid') naming the field. Transport limits are checked by the transport itself.
 */
export function parseStationConfig(input: unknown, base: StationConfig = DEFAULT_STATION_CONFIG): StationConfig {
  const top = section('', input, [
    'host',
    'port',
    'dataDir',
    'advertise',
    'logLevel',
    'transport',
    'session',
    'inbox',
    'ans',
    'files',
  ]);
  const host = top['host'] === undefined ? base.host : text('host', top['host'], true);
  const port = top['port'] === undefined ? base.port : integer('port', top['port'], 0, 65535);
  const dataDir = top['dataDir'] === undefined ? base.dataDir : text('dataDir', top['dataDir']);
  const logLevel = top['logLevel'] === undefined ? base.logLevel : (top['logLevel'] as LogLevel);
  if (!LOG_LEVELS.includes(logLevel)) fail('logLevel', `expected one of ${LOG_LEVELS.join(', ')}`);

  const adv = section('advertise', top['advertise'], ['name', 'host', 'port']);
  const advertise = {
    name: adv['name'] === undefined ? base.advertise.name : text('advertise.name', adv['name']),
    host: adv['host'] === undefined ? base.advertise.host : text('advertise.host', adv['host']),
    port: adv['port'] === undefined ? base.advertise.port : integer('advertise.port', adv['port'], 1, 65535),
  };

  const transport = { ...base.transport, ...section('transport', top['transport'], TRANSPORT_KEYS) };

  const s = section('session', top['session'], Object.keys(base.session));
  const pick = <T extends object>(
    obj: T,
    raw: JsonObject,
    name: string,
    key: keyof T & string,
    min: number,
    max: number,
  ) => (raw[key] === undefined ? (obj[key] as number) : integer(`${name}.${key}`, raw[key], min, max));
  const session = {
    handshakeTimeoutMs: pick(base.session, s, 'session', 'handshakeTimeoutMs', 1, MAX_TIMER_MS),
    maxSuspended: pick(base.session, s, 'session', 'maxSuspended', 0, 1 << 20),
    maxSuspendedBytes: pick(base.session, s, 'session', 'maxSuspendedBytes', 0, Number.MAX_SAFE_INTEGER),
    maxQueued: pick(base.session, s, 'session', 'maxQueued', 1, 1 << 20),
    maxQueuedBytes: pick(base.session, s, 'session', 'maxQueuedBytes', 1, Number.MAX_SAFE_INTEGER),
    maxInFlight: pick(base.session, s, 'session', 'maxInFlight', 1, 1 << 20),
    maxRefusals: pick(base.session, s, 'session', 'maxRefusals', 1, Number.MAX_SAFE_INTEGER),
    receiptIntervalMs: pick(base.session, s, 'session', 'receiptIntervalMs', 0, 60_000),
    receiptBurst: pick(base.session, s, 'session', 'receiptBurst', 1, 1024),
  };

  const i = section('inbox', top['inbox'], Object.keys(base.inbox));
  const inbox = {
    retentionSeconds: pick(base.inbox, i, 'inbox', 'retentionSeconds', 1, Number.MAX_SAFE_INTEGER),
    maxPerReceiver: pick(base.inbox, i, 'inbox', 'maxPerReceiver', 1, Number.MAX_SAFE_INTEGER),
    drainWindow: pick(base.inbox, i, 'inbox', 'drainWindow', 1, 1 << 16),
    drainWindowBytes: pick(base.inbox, i, 'inbox', 'drainWindowBytes', 1, Number.MAX_SAFE_INTEGER),
    drainBatch: pick(base.inbox, i, 'inbox', 'drainBatch', 1, 1 << 16),
    liveWindow: pick(base.inbox, i, 'inbox', 'liveWindow', 1, 1 << 20),
    purgeIntervalSeconds: pick(base.inbox, i, 'inbox', 'purgeIntervalSeconds', 1, MAX_TIMER_MS / 1000),
  };

  let ans = base.ans;
  if (top['ans'] !== undefined) {
    const records = top['ans'];
    if (!isJsonObject(records)) fail('ans', 'expected an object of name → ID');
    const out: Record<string, string> = {};
    for (const [name, id] of Object.entries(records)) {
      if (!/^[A-Za-z0-9_.-]{1,32}$/.test(name)) fail(`ans.${name}`, 'expected a name of 1–32 letters, digits, _ . -');
      try {
        out[name] = parseId(id).text;
      } catch {
        fail(`ans.${name}`, `expected an ID, got ${JSON.stringify(id)}`);
      }
    }
    ans = Object.freeze(out);
  }
  const f = section('files', top['files'], Object.keys(base.files));
  const files = {
    maxBytes: pick(base.files, f, 'files', 'maxBytes', 0, Number.MAX_SAFE_INTEGER),
    uploadsPerMinute: pick(base.files, f, 'files', 'uploadsPerMinute', 0, 1 << 20),
    maxConcurrent: pick(base.files, f, 'files', 'maxConcurrent', 1, 1 << 16),
    stallTimeoutMs: pick(base.files, f, 'files', 'stallTimeoutMs', 1, MAX_TIMER_MS),
    publicUrl: f['publicUrl'] === undefined ? base.files.publicUrl : text('files.publicUrl', f['publicUrl']),
  };
  if (files.publicUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(files.publicUrl)) {
    fail('files.publicUrl', 'expected an http:// or https:// URL');
  }

  return Object.freeze({
    host,
    port,
    dataDir,
    advertise: Object.freeze(advertise),
    logLevel,
    transport: Object.freeze(transport),
    session: Object.freeze(session),
    inbox: Object.freeze(inbox),
    ans,
    files: Object.freeze(files),
  });
}

/** Reads a JSON config file (see docs/operations.md) over `base`. Throws DimError('config.invalid'). */
export function loadStationConfig(path: string, base: StationConfig = DEFAULT_STATION_CONFIG): StationConfig {
  let textValue: string;
  try {
    textValue = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DimError('config.invalid', `cannot read station config ${path}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(textValue);
  } catch (cause) {
    throw new DimError('config.invalid', `station config ${path} is not valid JSON`, { cause });
  }
  return parseStationConfig(json, base);
}
