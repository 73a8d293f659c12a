// The demo's build: its four processes for Node.js (ESM; dependencies stay external) and the
// dashboard page's script for the browser, bundled from web/app.ts into dist/web/app.js.
// `npm run build` empties dist/ first, since the two builds run side by side.
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      feed: 'src/feed.ts',
      algo: 'src/algo.ts',
      'dashboard-server': 'src/dashboard-server.ts',
      launch: 'src/launch.ts',
    },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outDir: 'dist',
    sourcemap: true,
    dts: false,
    clean: false,
    splitting: true,
    treeshake: true,
  },
  {
    entry: { app: 'web/app.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    outDir: 'dist/web',
    tsconfig: 'web/tsconfig.json',
    sourcemap: true,
    dts: false,
    clean: false,
    minify: false,
  },
]);
