import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'test/fixtures/vectors/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' }],
      'no-console': 'off',
    },
  },
  {
    // The protocol package runs in browsers: no Node built-ins, no Buffer (style rules 8 and 10).
    files: ['packages/protocol/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*'],
              message: '@dimkit/protocol is isomorphic: inject Node fast paths from @dimkit/crypto-node.',
            },
          ],
          // Exact module names: as `patterns` these would also match our own `../crypto/…` files.
          paths: ['crypto', 'fs', 'path', 'os', 'buffer', 'util', 'stream'].map((name) => ({
            name,
            message: 'No Node built-ins in @dimkit/protocol.',
          })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'Use Uint8Array in @dimkit/protocol.' },
        'process',
        'require',
      ],
    },
  },
  {
    // The client core runs in browsers too (the web client reuses it): no Node built-ins.
    files: ['packages/client/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'ws', 'better-sqlite3'],
              message: 'client/core is isomorphic: Node code goes in client/node.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'Use Uint8Array in client/core.' },
        'process',
        'require',
      ],
    },
  },
  {
    files: ['*.config.{js,ts}'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly' } },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*', 'scripts/**/*'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
