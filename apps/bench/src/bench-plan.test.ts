import { describe, expect, it } from 'vitest';
import { peerNodeArguments } from './peer-handle.js';
import { cpuFor } from './bench-plan.js';

describe('cpuFor', () => {
  it('puts the sender on the first CPU and spreads the receivers over the others', () => {
    expect([0, 1, 2, 3, 4].map((index) => cpuFor([0, 1], index))).toEqual([0, 1, 1, 1, 1]);
    expect([0, 1, 2, 3, 4].map((index) => cpuFor([3, 1, 2], index))).toEqual([3, 1, 2, 1, 2]);
    expect([0, 1, 2].map((index) => cpuFor([1], index))).toEqual([1, 1, 1]);
    expect(cpuFor(undefined, 1)).toBeUndefined();
  });
});

describe('peerNodeArguments', () => {
  it('reads the Node options of the peers from the environment', () => {
    expect(peerNodeArguments({ SEAMLESS_BENCH_PEER_ARGS: ' --cpu-prof  --cpu-prof-dir=/tmp/p ' })).toEqual([
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/p',
    ]);
    expect(peerNodeArguments({})).toEqual([]);
  });
});
