import type { BenchCase } from './bench-case.js';
import { netTcpBatched } from './net-tcp-batched.js';
import { netTcp } from './net-tcp.js';
import { netUnixBatched } from './net-unix-batched.js';
import { netUnix } from './net-unix.js';
import { seamlessShmHistory } from './seamless-shm-history.js';
import { seamlessShmPark } from './seamless-shm-park.js';
import { seamlessShmPattern } from './seamless-shm-pattern.js';
import { seamlessShmSpin } from './seamless-shm-spin.js';
import { seamlessTcp } from './seamless-tcp.js';
import { zeromqIpc } from './zeromq-ipc.js';
import { zeromqTcp } from './zeromq-tcp.js';

/** Every case, in the order of the report. */
export const ALL_CASES: readonly BenchCase[] = [
  seamlessShmSpin,
  seamlessShmPark,
  seamlessShmHistory,
  seamlessShmPattern,
  seamlessTcp,
  netTcp,
  netTcpBatched,
  netUnix,
  netUnixBatched,
  zeromqIpc,
  zeromqTcp,
];

/** The case every ratio is taken against. */
export const BASELINE_CASE = netTcp.name;

/** The case named `name`; throws when there is none. */
export function findCase(name: string): BenchCase {
  const found = ALL_CASES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no case named "${name}"`);
  return found;
}
