import { readFileSync, readdirSync } from 'node:fs';

/** Linux /proc readings: memory of one process, CPU time of groups of processes. */

function status(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

function kib(pid: number, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status(pid) ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Peak resident set size (VmHWM) in MiB. */
export const peakRssMiB = (pid: number) => (kib(pid, 'VmHWM') ?? NaN) / 1024;
/** Current resident set size (VmRSS) in MiB. */
export const rssMiB = (pid: number) => (kib(pid, 'VmRSS') ?? NaN) / 1024;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime + stime of a process in seconds, undefined if it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Pids whose command name (comm) is `name`, e.g. all PostgreSQL server processes. */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** Whole-machine busy CPU seconds (all cores), from /proc/stat. */
function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

export type CpuGroups = Record<string, () => number[] | Promise<number[]>>;

/**
 * CPU used by named groups of processes between `start()` and `stop()`, as % of one core. A
 * process that appears in between counts from zero; one that exits in between is lost (short-lived
 * ones are rare here: connection pools are opened before a phase starts).
 */
export class CpuMeter {
  private before = new Map<number, number>();
  private startedAt = 0;
  private machineBefore = 0;

  constructor(private readonly groups: CpuGroups) {}

  async start(): Promise<void> {
    const lists = await Promise.all(Object.values(this.groups).map((pids) => pids()));
    this.startedAt = Date.now();
    this.machineBefore = machineBusySeconds();
    this.before.clear();
    for (const pids of lists) {
      for (const pid of pids) this.before.set(pid, cpuSeconds(pid) ?? 0);
    }
  }

  async stop(): Promise<string> {
    const lists = await Promise.all(Object.values(this.groups).map((pids) => pids()));
    const seconds = (Date.now() - this.startedAt) / 1000;
    const parts: string[] = [];
    let accounted = 0;
    for (const [index, name] of Object.keys(this.groups).entries()) {
      let used = 0;
      for (const pid of lists[index]) used += (cpuSeconds(pid) ?? 0) - (this.before.get(pid) ?? 0);
      accounted += used;
      parts.push(`${name} ${Math.round((100 * used) / seconds)}%`);
    }
    const machine = machineBusySeconds() - this.machineBefore;
    // Everything else busy on the machine: the bench itself, the kernel, and whatever else runs here.
    parts.push(`other ${Math.max(0, Math.round((100 * (machine - accounted)) / seconds))}%`);
    parts.push(`machine ${Math.round((100 * machine) / seconds)}% of ${this.cores() * 100}%`);
    return parts.join(', ');
  }

  private cores(): number {
    return readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((line) => /^cpu\d+ /.test(line)).length;
  }
}
