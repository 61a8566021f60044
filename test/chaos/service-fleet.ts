import { awaitReady, describeLogs, startService, stopService, type ServiceProcess } from '../integration/fixtures/service-processes.js';

/** The four services, in the order they are started. */
export const SERVICES = ['topology-builder', 'propagation-scorer', 'allocator', 'learner'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** Two instances of each service. */
export const INSTANCES = ['a', 'b'] as const;

/**
 * Two `foresight run <service>` processes of each service, kept running the way a supervisor (systemd, Kubernetes)
 * would: a process that dies is started again with the same settings and instance id. Nothing else is restarted.
 */
export class ServiceFleet {
  private readonly current = new Map<string, ServiceProcess>();
  /** Every process ever started (for the logs of a failure). */
  private readonly history: ServiceProcess[] = [];

  constructor(private readonly env: Readonly<Record<string, string>>) {}

  static label(service: ServiceName, instance: string): string {
    return `${service}-${instance}`;
  }

  start(): void {
    for (const service of SERVICES) for (const instance of INSTANCES) this.launch(service, instance);
  }

  async awaitReady(timeoutMs = 90_000): Promise<void> {
    await Promise.all([...this.current.values()].map((p) => awaitReady(p, timeoutMs)));
  }

  /** SIGKILLs one instance, then starts it again (same instance id) and awaits its readiness. */
  async killAndRestart(service: ServiceName, instance: string): Promise<void> {
    const label = ServiceFleet.label(service, instance);
    const victim = this.current.get(label);
    if (victim === undefined) throw new Error(`no process ${label}`);
    victim.child.kill('SIGKILL');
    const end = await victim.exited;
    if (end.signal !== 'SIGKILL') throw new Error(`${label} ended with ${end.code ?? end.signal} before the SIGKILL`);
    const next = this.launch(service, instance);
    await awaitReady(next, 90_000);
  }

  /**
   * Processes that exited without being killed by the suite (each is a failure of the phase: a service must ride out a
   * fault, not leave it to its supervisor), started again as the supervisor would, so the next fault meets a full
   * fleet. Returns `label (exit code)` of each.
   */
  async restartExited(): Promise<string[]> {
    const exited = [...this.current.values()].filter((p) => p.child.exitCode !== null || p.child.signalCode !== null);
    for (const p of exited) {
      const [service, instance] = splitLabel(p.label);
      await awaitReady(this.launch(service, instance), 90_000);
    }
    return exited.map((p) => `${p.label} (${p.child.exitCode ?? p.child.signalCode})`);
  }

  /** The scorer instance ids (each reads topology-changes and model through a consumer group of its own). */
  scorerInstanceIds(): string[] {
    return INSTANCES.map((i) => ServiceFleet.label('propagation-scorer', i));
  }

  logs(tail = 60): string {
    return describeLogs(this.history, tail);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.current.values()].map((p) => stopService(p, 5_000)));
  }

  private launch(service: ServiceName, instance: string): ServiceProcess {
    const label = ServiceFleet.label(service, instance);
    const process = startService(label, service, { ...this.env, FORESIGHT_INSTANCE_ID: label });
    this.current.set(label, process);
    this.history.push(process);
    return process;
  }
}

function splitLabel(label: string): [ServiceName, string] {
  const cut = label.lastIndexOf('-');
  const service = SERVICES.find((name) => name === label.slice(0, cut));
  if (service === undefined) throw new Error(`not a service label: ${label}`);
  return [service, label.slice(cut + 1)];
}
