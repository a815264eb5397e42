import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const pkg = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

// The app is bundled from the TypeScript sources of the workspace packages (like the tests), so its
// build does not depend on their dist/ being current. Only isomorphic areas are reachable from here.
// eslint-disable-next-line no-restricted-syntax -- Vite reads the config from the default export.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [
      { find: /^@dimkit\/protocol\/(.+)$/, replacement: pkg('protocol/src/$1/index.ts') },
      { find: /^@dimkit\/protocol$/, replacement: pkg('protocol/src/index.ts') },
      { find: /^@dimkit\/client\/core$/, replacement: pkg('client/src/core/index.ts') },
      { find: /^@dimkit\/client\/browser$/, replacement: pkg('client/src/browser/index.ts') },
    ],
  },
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
  },
});
