import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/**
 * What the station logs through: a pino logger writing JSON lines. Station code logs IDs, sizes, counts and
 * machine-readable reasons only; it never passes a message body, a content or a key to the logger. The
 * redaction below is a second line of defence should a whole object slip in.
 */
export type StationLogger = Logger;

/** Fields never written, at the top level or one level down (private keys, message bodies, contents). */
const REDACTED = [
  'privateKey',
  'visaPrivateKey',
  'secret',
  'password',
  'key',
  'keys',
  'data',
  'content',
  'payload',
  'session',
  'sessionKey',
];

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Where the lines go; default standard output. */
  readonly destination?: DestinationStream;
}

/** A JSON-lines logger (`{"level":30,"time":…,"msg":"…",…}`) with private fields redacted. */
export function createLogger(options: LoggerOptions = {}): StationLogger {
  const paths = REDACTED.flatMap((name) => [name, `*.${name}`]);
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'dim-station' },
      redact: { paths, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing (tests, embedding). */
export function silentLogger(): StationLogger {
  return pino({ level: 'silent' });
}
