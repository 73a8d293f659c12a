import type { Link } from '../links/link.js';
import type { MeasureKind } from '../results.js';

/** Which end of a measurement a process is. */
export type Role = 'sender' | 'receiver';

/**
 * What a peer process is asked to open for one measurement. The sender (ping side, streaming
 * sender, fan-out publisher) opens first and tells where it can be reached; the receivers
 * (echo side, streaming receiver, fan-out subscribers) open with that address.
 */
export interface LinkRequest {
  readonly measure: MeasureKind;
  readonly role: Role;
  readonly size: number;
  /** Unique per measurement: names topics, socket paths. Letters, digits, `.` and `-`. */
  readonly id: string;
  /** How many receivers the sender serves (1, or 4 for the fan-out). */
  readonly receivers: number;
  /** The sender's address, for a receiver; empty for the sender. */
  readonly address: string;
  /** Private directories of this benchmark run (mode 0700). */
  readonly directories: { readonly registry: string; readonly sockets: string };
}

/** An opened link, and the address receivers connect to (the sender's). */
export interface OpenedLink {
  readonly link: Link;
  readonly address: string;
}

/** One competitor in the benchmark. */
export interface BenchCase {
  /** Stable name, used on the command line and in results: `seamless-shm-spin`. */
  readonly name: string;
  /** What the report calls it. */
  readonly title: string;
  /** The measures this case takes part in. */
  readonly measures: readonly MeasureKind[];
  /** Opens one side of a measurement, in a peer process. Loads the case's library lazily. */
  open(request: LinkRequest): Promise<OpenedLink>;
  /** Releases what the case keeps per process (a Seamless bus); called before the peer exits. */
  shutdown?(): Promise<void>;
}
