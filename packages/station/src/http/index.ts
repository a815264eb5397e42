// The station's HTTP area: routing plain HTTP requests that arrive on the transport's port.
export { HttpRouter } from './router.js';
export type { RouteHandler } from './router.js';
export { healthHandler } from './health.js';
export { metricsHandler } from './metrics-endpoint.js';
export { STATIC_CONTENT_TYPES, STATIC_CSP, resolveStaticPath, staticHandler } from './static.js';
export type { StaticOptions } from './static.js';
export {
  createFileService,
  FILE_SERVICE_DEFAULTS,
  fileExtension,
  UPLOAD_HEADERS,
  uploadSigningText,
} from './upload.js';
export type { FileService, FileServiceOptions } from './upload.js';
