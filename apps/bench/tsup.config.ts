// The bench is an application, not a library: ESM only, no declarations. Two entry points —
// the coordinator (main) and the process that runs one side of a case (peer) — and code
// splitting, so a peer loads only its own case (zeromq.js, with its native threads, is loaded
// only by the zeromq cases).
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts', peer: 'src/peer.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: false,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  // zeromq is a devDependency (tsup would bundle it): it loads its native addon at run time.
  external: ['@seamless/seamless', 'zeromq'],
});
