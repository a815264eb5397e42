import { DimError, type DimErrorCode } from '../errors.js';

/** A conflict reporter for `adoptLegacyName`: both spellings present with different values. */
export function conflictError(code: DimErrorCode, what: string): (legacy: string, current: string) => never {
  return (legacy, current) => {
    throw new DimError(code, `${what}: \`${current}\` and its legacy copy \`${legacy}\` differ`);
  };
}
