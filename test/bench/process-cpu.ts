// CPU of the processes a benchmark measures (its services, the local stack's servers), read from /proc.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux; undefined elsewhere or once it is gone).
 * Fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms (CLK_TCK 100, as on every Linux this runs on).
 */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The local stack's server processes (infra/stack.sh writes their pid files), by name. */
export function stackPids(): Record<string, number | undefined> {
  const dir = process.env.FORESIGHT_STACK_DIR ?? fileURLToPath(new URL('../../../.stack', import.meta.url));
  const pidOf = (name: string): number | undefined => {
    try {
      const pid = Number(readFileSync(`${dir}/run/${name}.pid`, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  return Object.fromEntries(['kafka', 'registry', 'neo4j', 'redis'].map((name) => [name, pidOf(name)]));
}

