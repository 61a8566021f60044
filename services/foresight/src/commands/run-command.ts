import { anyService, combineServices, runService, type AnyServiceDefinition } from '@foresight/service-kit';
import { allocatorService } from '@foresight/allocator';
import { learnerService } from '@foresight/learner';
import { propagationScorerService } from '@foresight/propagation-scorer';
import { topologyBuilderService } from '@foresight/topology-builder';

/** The services `foresight run` knows, in start order (producers of state before its consumers). */
export const SERVICES: Readonly<Record<string, (onStopped: () => void) => AnyServiceDefinition>> = {
  'topology-builder': (onStopped) => anyService(topologyBuilderService(process.env, onStopped)),
  'propagation-scorer': (onStopped) => anyService(propagationScorerService(process.env, onStopped)),
  allocator: (onStopped) => anyService(allocatorService(process.env, onStopped)),
  learner: (onStopped) => anyService(learnerService(process.env, onStopped)),
};

/** The services a `foresight run` target names: `all`, one service, or several joined by commas (in start order). */
export function servicesOf(target: string | undefined): string[] | undefined {
  if (target === undefined || target === '') return undefined;
  if (target === 'all') return Object.keys(SERVICES);
  const names = target.split(',');
  if (names.some((name) => !(name in SERVICES)) || new Set(names).size !== names.length) return undefined;
  return Object.keys(SERVICES).filter((name) => names.includes(name));
}

/** `foresight run <service>[,<service>...]|all`: runs until SIGTERM/SIGINT; configuration comes from the environment. */
export function runCommand(args: readonly string[]): Promise<number> {
  const target = args[0];
  const names = servicesOf(target);
  if (names === undefined) {
    process.stderr.write(`foresight run: expected all, or one or more of ${Object.keys(SERVICES).join(', ')} joined by commas, got ${target ?? 'nothing'}\n`);
    return Promise.resolve(2);
  }
  return new Promise((resolve) => {
    const stopped = (): void => resolve(0);
    if (names.length > 1) {
      // One process: one health server, one telemetry, one signal handler; each service keeps its own consumer group.
      let pending = names.length;
      const onStopped = (): void => {
        if (--pending === 0) stopped();
      };
      runService(combineServices('foresight', names.map((name) => (SERVICES[name])(onStopped))));
    } else {
      const definition = (SERVICES[names[0]])(stopped);
      runService({ name: definition.name, loadConfig: () => definition.loadConfig(), start: (context) => definition.start(context) });
    }
  });
}
