// eslint-disable-next-line no-restricted-imports -- the test reads the docs, the library does not
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DimError, isDimError } from './errors.js';

describe('DimError', () => {
  it('carries its code, names it in the message and keeps the cause', () => {
    const cause = new Error('inner');
    const error = new DimError('meta.mismatch', 'address differs', { cause });
    expect(error.code).toBe('meta.mismatch');
    expect(error.message).toBe('meta.mismatch: address differs');
    expect(error.cause).toBe(cause);
    expect(isDimError(error, 'meta.mismatch')).toBe(true);
    expect(isDimError(error, 'meta.invalid')).toBe(false);
    expect(isDimError(new Error('x'))).toBe(false);
  });

  it('every code in errors.ts is documented in docs/errors.md', () => {
    const source = readFileSync(new URL('./errors.ts', import.meta.url), 'utf8');
    const union = source.slice(source.indexOf('export type DimErrorCode'), source.indexOf('export class DimError'));
    const codes = [...union.matchAll(/'([a-z0-9_.]+)'/g)].map((match) => match[1]);
    expect(codes.length).toBeGreaterThan(30);
    const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    for (const code of codes) expect(docs, `docs/errors.md lacks ${code}`).toContain(`| \`${code}\` |`);
  });
});
