import type { Command } from 'commander';
import { DimError } from '@dimkit/protocol';
import {
  DEFAULT_STATION_CONFIG,
  Station,
  loadStationConfig,
  parseStationConfig,
  type StationConfig,
} from '@dimkit/station';

export interface StationCommandOptions {
  readonly host?: string;
  readonly port?: string;
  readonly dataDir?: string;
  readonly config?: string;
}

function port(text: string): number {
  const value = Number(text);
  if (!/^\d{1,5}$/.test(text) || value > 65535) {
    throw new DimError('cli.usage', `--port must be a TCP port 0–65535, got "${text}"`);
  }
  return value;
}

/** The station config from the command line: defaults, then the `--config` file, then the flags. */
export function stationConfigFromOptions(options: StationCommandOptions): StationConfig {
  const base = options.config === undefined ? DEFAULT_STATION_CONFIG : loadStationConfig(options.config);
  return parseStationConfig(
    {
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: port(options.port) }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    },
    base,
  );
}

/**
 * `dim station`: runs a station until SIGTERM or SIGINT, then drains (docs/operations.md). Logs JSON lines
 * on standard output; the first start creates the station's identity in the data directory.
 */
export function registerStationCommand(program: Command): void {
  program
    .command('station')
    .description('run a DIM station: WebSocket, MTP and HTTP (/healthz, /metrics) on one port')
    .option('--host <host>', `address to bind (default ${DEFAULT_STATION_CONFIG.host})`)
    .option('--port <port>', `TCP port, 0 for any free one (default ${DEFAULT_STATION_CONFIG.port})`)
    .option(
      '--data-dir <dir>',
      `data directory: database and station identity (default ${DEFAULT_STATION_CONFIG.dataDir})`,
    )
    .option('--config <file>', 'JSON configuration file (see docs/operations.md); flags override it')
    .action(async (options: StationCommandOptions) => {
      const station = new Station({ config: stationConfigFromOptions(options) });
      await station.start();
      await new Promise<void>((resolve, reject) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          // A second signal while draining ends the process at once.
          process.once(signal, () => process.exit(130));
          station.log.info({ signal }, 'signal received, draining');
          station.stop().then(() => {
            station.log.flush();
            resolve();
          }, reject);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
    });
}
