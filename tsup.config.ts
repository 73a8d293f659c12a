// The one build configuration shared by every published package: each package's `build`
// script runs `tsup --config ../../tsup.config.ts` from its own directory, so `src/index.ts`
// and `tsconfig.json` below are that package's own. Dependencies listed in a package's
// package.json stay external, so no workspace package is ever inlined.
import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// tsup keeps `dependencies` and `peerDependencies` external but would bundle an optional
// dependency (the facade's `@seamless/shm-transport`, loaded with a dynamic import so that it
// may be missing): keep those external too.
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { optionalDependencies?: Record<string, string> };

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
  external: Object.keys(manifest.optionalDependencies ?? {}),
  // Which module system a build is for, where code must load differently in each (the facade's
  // optional shared-memory transport: `require` in CommonJS, `import()` in ES modules).
  esbuildOptions(options, context) {
    options.define = { ...options.define, __SEAMLESS_MODULE_FORMAT__: JSON.stringify(context.format) };
  },
});
