import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, type } from 'node:os';
import type { MachineState } from './results.js';

/** CPU counters at one moment, in clock ticks (USER_HZ), from /proc. */
export interface CpuSnapshot {
  /** All vCPUs: every state. */
  readonly total: number;
  /** All vCPUs: idle and waiting for I/O. */
  readonly idle: number;
  /** All vCPUs: stolen by the hypervisor. */
  readonly steal: number;
  /** This process and its children that have exited (the peers), user + system. */
  readonly own: number;
  readonly loadAverage: readonly number[];
}

/** Reads the counters (zeros where /proc is not there: the report then says nothing useful). */
export function takeCpuSnapshot(): CpuSnapshot {
  const loadAverage = loadavg();
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const at = (index: number): number => fields[index] ?? 0;
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    // /proc/self/stat: "pid (comm) state ..." — fields 14-17 are utime, stime, cutime, cstime.
    const self = readFileSync('/proc/self/stat', 'utf8');
    const after = self
      .slice(self.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const own = (after[11] ?? 0) + (after[12] ?? 0) + (after[13] ?? 0) + (after[14] ?? 0);
    return { total, idle: at(3) + at(4), steal: at(7), own, loadAverage };
  } catch {
    return { total: 0, idle: 0, steal: 0, own: 0, loadAverage };
  }
}

/** Describes the machine and what else used its CPUs between two snapshots. */
export function machineState(before: CpuSnapshot, after: CpuSnapshot, zeromq: string): MachineState {
  const vCpus = cpus().length;
  const total = after.total - before.total;
  const idle = after.idle - before.idle;
  const steal = after.steal - before.steal;
  const own = after.own - before.own;
  const busy = total - idle - steal;
  return {
    node: process.version,
    os: `${type()} ${release()}`,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    vCpus,
    zeromq,
    loadAverageBefore: before.loadAverage.map((value) => round(value)),
    loadAverageAfter: after.loadAverage.map((value) => round(value)),
    busyPercent: total > 0 ? round((100 * (total - idle)) / total) : Number.NaN,
    stealPercent: total > 0 ? round((100 * steal) / total) : Number.NaN,
    otherProcessesVcpus: total > 0 ? round(Math.max(0, busy - own) / (total / vCpus)) : Number.NaN,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
