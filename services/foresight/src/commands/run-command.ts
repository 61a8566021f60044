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

/** `foresight run <service>|all`: runs until SIGTERM/SIGINT; configuration comes from the environment. */
export function runCommand(args: readonly string[]): Promise<number> {
  const target = args[0];
  if (target === undefined || (target !== 'all' && !(target in SERVICES))) {
    process.stderr.write(`foresight run: expected one of ${[...Object.keys(SERVICES), 'all'].join(', ')}, got ${target ?? 'nothing'}\n`);
    return Promise.resolve(2);
  }
  return new Promise((resolve) => {
    const stopped = (): void => resolve(0);
    if (target === 'all') {
      // One process: one health server, one telemetry, one signal handler; each service keeps its own consumer group.
      const names = Object.keys(SERVICES);
      let pending = names.length;
      const onStopped = (): void => {
        if (--pending === 0) stopped();
      };
      runService(combineServices('foresight', names.map((name) => (SERVICES[name])(onStopped))));
    } else {
      const definition = (SERVICES[target])(stopped);
      runService({ name: definition.name, loadConfig: () => definition.loadConfig(), start: (context) => definition.start(context) });
    }
  });
}
