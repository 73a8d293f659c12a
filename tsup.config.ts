// The one build configuration shared by every published package: each package's `build`
// script runs `tsup --config ../../tsup.config.ts` from its own directory, so `src/index.ts`
// and `tsconfig.json` below are that package's own. Dependencies listed in a package's
// package.json stay external (tsup's default), so no workspace package is ever inlined.
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  target: 'node20',
  platform: 'node',
  dts: {
    // The per-package tsconfig is a composite project for `tsc -b`; the declaration bundler
    // works on a plain program.
    compilerOptions: { composite: false, emitDeclarationOnly: false, declarationMap: false },
  },
  sourcemap: true,
  clean: true,
  splitting: false,
  treeshake: true,
  shims: true,
});
