import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** What a service announces to Prometheus' file-based discovery: its name and where its /metrics is served. */
export interface PrometheusTarget {
  /** The directory Prometheus' file_sd_configs watches (FORESIGHT_PROMETHEUS_TARGETS_DIR). */
  readonly dir: string;
  readonly service: string;
  /** The health server's host and port; a wildcard host (0.0.0.0, ::) is announced as this machine's host name. */
  readonly host: string;
  readonly port: number;
  /** Extra labels on every series scraped from it. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** An announced target: removing it stops Prometheus scraping it. */
export interface AnnouncedTarget {
  readonly file: string;
  remove(): Promise<void>;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * Writes `<dir>/<service>-<pid>-<random>.json` in file_sd format ([{ targets, labels }]), atomically (a temporary file
 * renamed), so Prometheus never reads half a file. A process that dies without removing it leaves a target that is
 * down (`up == 0`) until the file is deleted.
 */
export async function announcePrometheusTarget(target: PrometheusTarget): Promise<AnnouncedTarget> {
  const host = WILDCARDS.has(target.host) ? hostname() : target.host.includes(':') && !target.host.startsWith('[') ? `[${target.host}]` : target.host;
  const name = `${target.service}-${process.pid}-${randomUUID().slice(0, 8)}.json`;
  const file = join(target.dir, name);
  const body = [{ targets: [`${host}:${target.port}`], labels: { service: target.service, ...target.labels } }];
  const temporary = join(target.dir, `.${name}.tmp`);
  await writeFile(temporary, `${JSON.stringify(body)}\n`);
  await rename(temporary, file);
  return { file, remove: () => rm(file, { force: true }) };
}
