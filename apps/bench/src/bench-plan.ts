// The plan of a benchmark run: which measurements run between which processes, in which
// order, on which CPU, and how long that should take (for the progress line).
import type { BenchCase } from './cases/bench-case.js';
import type { BenchOptions } from './options.js';
import type { MeasureKind } from './results.js';

export const ROUND_TRIP_SIZES = [64, 1024, 64 * 1024] as const;
export const THROUGHPUT_SIZES = [64, 4 * 1024] as const;
export const FAN_OUT_SIZE = 64;
export const FAN_OUT_SUBSCRIBERS = 4;

// Planning figures for the progress estimate: process start-up and per-measurement set-up.
export const GROUP_OVERHEAD_SECONDS = 0.4;
const TASK_OVERHEAD_SECONDS = 0.1;

export interface Task {
  readonly measure: MeasureKind;
  readonly size: number;
  /** How many receiving processes the measurement uses (the first ones of the group). */
  readonly receivers: number;
}

// One case in one run: its processes (a sender and as many receivers as its largest measure
// needs) are started once, and its measurements run one after the other between them.
export interface Group {
  readonly run: number;
  readonly benchCase: BenchCase;
  readonly tasks: readonly Task[];
}

/** How many receiving processes a group needs: as many as its largest measure. */
export function receiversOf(group: Group): number {
  return Math.max(...group.tasks.map((task) => task.receivers));
}

/** Plans the groups of processes, in the order they run. */
export function planGroups(options: BenchOptions, cases: readonly BenchCase[]): Group[] {
  const groups: Group[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const shift = (run - 1) % cases.length;
    const order = [...cases.slice(shift), ...cases.slice(0, shift)];
    for (const benchCase of order) {
      const wanted = (measure: MeasureKind): boolean => options.measures.includes(measure) && benchCase.measures.includes(measure);
      const tasks: Task[] = [];
      if (wanted('round-trip')) tasks.push(...ROUND_TRIP_SIZES.map((size) => ({ measure: 'round-trip' as const, size, receivers: 1 })));
      if (wanted('throughput')) tasks.push(...THROUGHPUT_SIZES.map((size) => ({ measure: 'throughput' as const, size, receivers: 1 })));
      if (wanted('fan-out')) tasks.push({ measure: 'fan-out', size: FAN_OUT_SIZE, receivers: FAN_OUT_SUBSCRIBERS });
      if (tasks.length > 0) groups.push({ run, benchCase, tasks });
    }
  }
  return groups;
}

export function taskSeconds(options: BenchOptions, task: Task): number {
  const duration = task.measure === 'round-trip' ? options.roundTripMs : options.throughputMs;
  return (options.warmupMs + duration) / 1000 + TASK_OVERHEAD_SECONDS;
}

/** The planned length of the run in seconds (measurements and process start-up), for progress. */
export function plannedSeconds(options: BenchOptions, cases: readonly BenchCase[]): number {
  let seconds = 0;
  for (const group of planGroups(options, cases)) {
    seconds += GROUP_OVERHEAD_SECONDS;
    for (const task of group.tasks) seconds += taskSeconds(options, task);
  }
  return seconds;
}

/** The CPU of a group's process: the sender on the first listed CPU, receivers on the others. */
export function cpuFor(cpus: readonly number[] | undefined, processIndex: number): number | undefined {
  if (cpus === undefined || cpus.length === 0) return undefined;
  if (processIndex === 0 || cpus.length === 1) return cpus[0];
  return cpus[1 + ((processIndex - 1) % (cpus.length - 1))];
}
