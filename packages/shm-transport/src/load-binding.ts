import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, SeamlessError } from '@seamless/transport';
import type { NativeBinding } from './native.js';

let loaded: NativeBinding | undefined;
let failure: SeamlessError | undefined;

/**
 * Loads the native addon once: a prebuilt binary from `prebuilds/` if one matches this
 * platform, else the one `node-gyp` built at install time (`build/Release`). Throws
 * {@link SeamlessError} `ERR_SHM_UNAVAILABLE` with the reason when neither loads, and keeps
 * throwing the same error on later calls.
 */
export function loadBinding(): NativeBinding {
  if (loaded !== undefined) return loaded;
  if (failure !== undefined) throw failure;
  // Both dist/ (built) and src/ (tests on sources) sit one level below the package root.
  const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const require = createRequire(import.meta.url);
    const nodeGypBuild = require('node-gyp-build') as (directory: string) => unknown;
    loaded = nodeGypBuild(packageRoot) as NativeBinding;
    return loaded;
  } catch (error) {
    failure = new SeamlessError(
      ErrorCode.ShmUnavailable,
      `the shared-memory addon of @seamless/shm-transport could not be loaded (${(error as Error).message.split('\n')[0] ?? ''}); ` +
        'it is built at install time by node-gyp (needs python3, make and a C++ compiler) unless a prebuilt binary ' +
        'ships for this platform; with npm 11 install scripts run only when allowed: npm install-scripts approve @seamless/shm-transport',
      { cause: error, details: { packageRoot } },
    );
    throw failure;
  }
}
