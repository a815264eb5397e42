// Areas are re-exported as namespaces; import an area directly (`@dimkit/protocol/mkm`) to keep bundles small.
export { DimError, isDimError } from './errors.js';
export type { DimErrorCode } from './errors.js';
