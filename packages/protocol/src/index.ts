// @dimkit/protocol: each area is re-exported as a namespace. Import an area directly
// (`@dimkit/protocol/dkd`) to keep bundles small; `sideEffects: false` lets bundlers drop the rest.
export { DimError, isDimError } from './errors.js';
export type { DimErrorCode } from './errors.js';
export * as encoding from './encoding/index.js';
export * as crypto from './crypto/index.js';
export * as mkm from './mkm/index.js';
export * as dkd from './dkd/index.js';
export * as content from './content/index.js';
export * as compat from './compat/index.js';
export * as account from './account/index.js';
