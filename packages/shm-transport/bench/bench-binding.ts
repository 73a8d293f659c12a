import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The C++ ring writer (`bench/native/ring.h`): one native call per message. */
export interface NativeRingWriter {
  /** 0 written, 1 full, 2 too large, 3 closed. */
  write(data: Uint8Array, sequence: number): 0 | 1 | 2 | 3;
}

/** The C++ ring reader (`bench/native/ring.h`), continuing from an already joined reader slot. */
export interface NativeRingReader {
  /** Payload length copied into `target`, -1 nothing ready, -2 corrupt, -3 target too small. */
  readInto(target: Uint8Array): number;
  /** The sequence number of the last message read. */
  readonly sequence?: number;
}

/** A native thread waiting on a futex word; the alternative wake-up the benchmark measures. */
export interface NativeFutexWaiter {
  /** Stops and joins the thread. Call it before closing the segment. */
  close(): void;
}

/**
 * The benchmarks' addon, `seamless_shm_bench` (`bench/native/`): what only the benchmarks and the
 * cross-implementation tests use. Every handle works on a segment's mapping, `segment.buffer`.
 */
export interface BenchBinding {
  readonly NativeRingWriter: new (buffer: ArrayBuffer) => NativeRingWriter;
  readonly NativeRingReader: new (buffer: ArrayBuffer, slot: number) => NativeRingReader;
  readonly FutexWaiter: new (buffer: ArrayBuffer, offset: number, callback: () => void) => NativeFutexWaiter;
  /** Increments the 32-bit word at `offset` and wakes every futex waiter on it. */
  futexWake(buffer: ArrayBuffer, offset: number): void;
}

let loaded: BenchBinding | undefined;

/**
 * Loads the benchmarks' addon, `bench/build/seamless_shm_bench.addon` (built by the package's
 * `npm run build`, or `npm run build:bench-native`; not named `.node` so that nothing takes it
 * for the production addon, see binding.gyp), with `process.dlopen`. Works from `bench/`
 * (tests) and from `.bench/` (bundled benchmarks) alike: both sit one level below the package
 * root.
 */
export function loadBenchBinding(): BenchBinding {
  if (loaded !== undefined) return loaded;
  const path = fileURLToPath(new URL('../bench/build/seamless_shm_bench.addon', import.meta.url));
  if (!existsSync(path)) {
    throw new Error(`the benchmarks' addon is not built (${path}): run \`npm run build:bench-native -w @seamless/shm-transport\``);
  }
  const module = { exports: {} };
  process.dlopen(module, path);
  loaded = module.exports as BenchBinding;
  return loaded;
}
