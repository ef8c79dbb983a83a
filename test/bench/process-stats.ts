import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/**
 * What the HTTP benchmarks read about the processes they drive (Linux /proc): CPU time of the
 * server and of moto (the local AWS endpoint, one Python process), peak RSS, the load average.
 * The machine is shared, so wall time alone says little; CPU time says who did the work.
 */

/** Clock ticks per second of /proc/<pid>/stat (100 on every Linux this runs on). */
const TICKS = 100;

/** User + system CPU seconds of a process so far, or undefined if it is gone (or not Linux). */
export const cpuSeconds = (pid: number | undefined): number | undefined => {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state: utime is the 12th after it, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
};

/** A /proc/<pid>/status value in MB (VmHWM: peak resident set size; VmRSS: now). */
export const statusMb = (pid: number | undefined, key: 'VmHWM' | 'VmRSS'): number | undefined => {
  if (!pid) return undefined;
  try {
    const kb = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
};

/** Resets a process's peak RSS (VmHWM) to its current RSS, so a later read is the peak of what ran since. */
export const resetPeakRss = (pid: number | undefined): boolean => {
  if (!pid) return false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
};

/** The moto_server serving `endpoint` (http://127.0.0.1:PORT): found by its command line's `-p PORT`. */
export const motoPid = (endpoint: string): number | undefined => {
  const port = new URL(endpoint).port;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const p = args.indexOf('-p');
      if (p >= 0 && args[p + 1] === port && args.some((a) => a.includes('moto'))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
};

export const loadAverage = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** CPU seconds spent by each process between `start()` and `stop()`, with wall time and the load average at both ends. */
export const cpuWindow = (pids: Record<string, number | undefined>) => {
  const wall0 = performance.now();
  const load0 = loadAverage();
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  return () => {
    const cpu = Object.fromEntries(
      Object.entries(pids).map(([k, pid]) => {
        const a = before[k];
        const b = cpuSeconds(pid);
        return [k, a === undefined || b === undefined ? undefined : b - a];
      }),
    ) as Record<string, number | undefined>;
    const wall = (performance.now() - wall0) / 1000;
    const line = `wall ${wall.toFixed(1)} s, CPU ${Object.entries(cpu)
      .map(([k, s]) => `${k} ${s === undefined ? '?' : `${s.toFixed(1)} s`}`)
      .join(', ')}; load average ${load0} → ${loadAverage()}`;
    return { wall, cpu, line };
  };
};

/** Adds "Service.Operation=n, …" (the x-kyso-aws-calls header) into a running tally. */
export const addCalls = (tally: Map<string, number>, header: string | null): void => {
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*([\w.-]+)=(\d+)\s*$/.exec(part);
    if (m) tally.set(m[1] as string, (tally.get(m[1] as string) ?? 0) + Number(m[2]));
  }
};

/** Prints a tally of calls divided by `per` (requests, rows), grouped by service, operations beside. */
export const printCalls = (title: string, tally: ReadonlyMap<string, number> | Record<string, number>, per: number): void => {
  const entries = tally instanceof Map ? [...tally] : Object.entries(tally);
  const byService = new Map<string, [string, number][]>();
  for (const [call, n] of entries) {
    const [service, op] = call.split('.') as [string, string];
    byService.set(service, [...(byService.get(service) ?? []), [op, n]]);
  }
  const total = entries.reduce((s, [, n]) => s + n, 0);
  console.log(`  ${title}: ${(total / per).toFixed(2)} AWS calls`);
  for (const [service, ops] of [...byService].sort()) {
    const sum = ops.reduce((s, [, n]) => s + n, 0);
    const detail = ops
      .sort((a, b) => b[1] - a[1])
      .map(([op, n]) => `${op} ${(n / per).toFixed(2)}`)
      .join(', ');
    console.log(`    ${service.padEnd(15)} ${(sum / per).toFixed(2).padStart(6)}  (${detail})`);
  }
};
