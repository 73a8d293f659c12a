// A compile-time check, run by `npm run typecheck` (tsc -b): the facade's copy of the shared-
// memory options (load-shm-transport.ts, declared there because that package is optional)
// names exactly the options of @seamless/shm-transport. Adding an option there without adding
// it here fails the build.
import type { ShmTransportOptions as Original } from '@seamless/shm-transport';
import type { ShmTransportOptions } from '../src/load-shm-transport.js';

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the usual exact-equality idiom
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export const facadeCopyMatches: Equal<Required<ShmTransportOptions>, Required<Original>> = true;
