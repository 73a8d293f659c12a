// Messages between the coordinator (main.ts) and a peer process (peer.ts), over the IPC
// channel of child_process. One measurement at a time per peer.
import type { LinkRequest } from './cases/bench-case.js';
import type { CpuReading } from './measures/cpu-meter.js';
import type { Plan } from './measures/plan.js';
import type { EchoOutcome, PingOutcome } from './measures/round-trip.js';
import type { ReceiveOutcome, SendOutcome } from './measures/stream.js';

/** What a peer's run produced. */
export type Outcome = PingOutcome | EchoOutcome | SendOutcome | ReceiveOutcome;

/** Coordinator -> peer. */
export type Command =
  /** Open a link; answered by `opened`. */
  | { readonly kind: 'open'; readonly request: LinkRequest }
  /** Wait for the peers and routes; answered by `ready`. */
  | { readonly kind: 'ready' }
  /** Measure; a receiver answers `started` at once, everyone `result` when done. */
  | { readonly kind: 'run'; readonly plan: Plan }
  /** Report the CPU time and system calls of the measured phase, close the link; answered by `finished`. */
  | { readonly kind: 'finish' }
  /** Release everything and exit. */
  | { readonly kind: 'exit' };

/** Peer -> coordinator. */
export type Reply =
  | { readonly kind: 'hello' }
  | { readonly kind: 'opened'; readonly address: string; readonly route: string }
  | { readonly kind: 'ready' }
  | { readonly kind: 'started' }
  | { readonly kind: 'result'; readonly outcome: Outcome }
  | { readonly kind: 'finished'; readonly cpu: CpuReading }
  | { readonly kind: 'error'; readonly message: string };
