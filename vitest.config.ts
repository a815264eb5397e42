import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources; the CLI tests run the built dist/ (npm test builds first).
    alias: [
      { find: /^@dimkit\/protocol\/(.+)$/, replacement: pkg('protocol/src/$1/index.ts') },
      { find: /^@dimkit\/protocol$/, replacement: pkg('protocol/src/index.ts') },
      { find: /^@dimkit\/crypto-node$/, replacement: pkg('crypto-node/src/index.ts') },
      { find: /^@dimkit\/station$/, replacement: pkg('station/src/index.ts') },
      { find: /^@dimkit\/client$/, replacement: pkg('client/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.VITEST_JSON_REPORT ? ['default', 'json'] : ['default'],
    outputFile: process.env.VITEST_JSON_REPORT ? { json: process.env.VITEST_JSON_REPORT } : {},
  },
});
