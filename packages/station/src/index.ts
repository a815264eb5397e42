// @dimkit/station: a DIM station (relay server). `Station` wires the areas together; the areas are re-exported
// as namespaces for embedding and tests.
export { DATABASE_FILE, FILES_DIR, Station } from './station.js';
export type { StationOptions } from './station.js';
export { DEFAULT_STATION_CONFIG, LOG_LEVELS, advertisedHost, loadStationConfig, parseStationConfig } from './config.js';
export type { LogLevel, StationConfig } from './config.js';
export { createLogger, silentLogger } from './logger.js';
export type { LoggerOptions, StationLogger } from './logger.js';
export * as metrics from './metrics/index.js';
export * as session from './session/index.js';
export * as router from './router/index.js';
export * as store from './store/index.js';
export * as transport from './transport/index.js';
export * as http from './http/index.js';
