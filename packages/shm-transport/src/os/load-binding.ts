import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, SeamlessError } from '@seamless/transport';
import type { NativeBinding } from './native.js';

let loaded: NativeBinding | undefined;
let failure: SeamlessError | undefined;

/** How to compile the addon from source where no prebuild fits; said in every load failure. */
const BUILD_FROM_SOURCE = 'npm explore @seamless/shm-transport -- npm run build:native';

/**
 * Loads the native addon once: the one compiled from source if there is one (`build/Release`),
 * else the prebuilt binary of this platform that ships in the package (`prebuilds/`). Throws
 * {@link SeamlessError} `ERR_SHM_UNAVAILABLE` naming the platform and how to build when neither
 * loads, and keeps throwing the same error on later calls.
 */
export function loadBinding(): NativeBinding {
  if (loaded !== undefined) return loaded;
  if (failure !== undefined) throw failure;
  const packageRoot = packageRootOf(dirname(fileURLToPath(import.meta.url)));
  try {
    const require = createRequire(import.meta.url);
    const nodeGypBuild = require('node-gyp-build') as (directory: string) => unknown;
    loaded = nodeGypBuild(packageRoot) as NativeBinding;
    return loaded;
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? '';
    const platform = `${process.platform}-${process.arch}${process.platform === 'linux' ? ` (${libc()})` : ''}`;
    const what = message.startsWith('No native build was found')
      ? `this release has no prebuilt binary for ${platform}, and none was built from source`
      : `the binary for ${platform} does not load (${message})`;
    failure = new SeamlessError(
      ErrorCode.ShmUnavailable,
      `the shared-memory addon of @seamless/shm-transport is unavailable: ${what}; ` +
        `build it from source with \`${BUILD_FROM_SOURCE}\` (needs python3, make and a C++17 compiler)`,
      { cause: error, details: { packageRoot, platform: process.platform, arch: process.arch } },
    );
    throw failure;
  }
}

// The nearest directory from `start` up that holds a package.json: the package root, whether
// this module runs bundled in dist/ (or a benchmark's .bench/) or from src/os/ (tests on sources).
function packageRootOf(start: string): string {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, 'package.json')) || dirname(directory) === directory) return directory;
  }
}

// The C library, as node-gyp-build tells them apart (its LIBC variable, else Alpine's marker).
function libc(): string {
  return process.env['LIBC'] ?? (existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
}
