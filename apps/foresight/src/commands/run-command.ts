import { anyService, combineServices, runService, type AnyServiceDefinition } from '@foresight/service-kit';
import { allocatorService } from '@foresight/allocator';
import { learnerService } from '@foresight/learner';
import { propagationScorerService } from '@foresight/propagation-scorer';
import { telemetryGatewayService } from '@foresight/telemetry-gateway';
import { topologyBuilderService } from '@foresight/topology-builder';

/** The services `foresight run` knows, in start order (producers of state before its consumers). */
export const SERVICES: Readonly<Record<string, (onStopped: () => void) => AnyServiceDefinition>> = {
  'topology-builder': (onStopped) => anyService(topologyBuilderService(process.env, onStopped)),
  'propagation-scorer': (onStopped) => anyService(propagationScorerService(process.env, onStopped)),
  allocator: (onStopped) => anyService(allocatorService(process.env, onStopped)),
  learner: (onStopped) => anyService(learnerService(process.env, onStopped)),
  // OpenTelemetry in (docs/ingestion.md): an edge service, not part of `all`.
  'telemetry-gateway': (onStopped) => anyService(telemetryGatewayService(process.env, onStopped)),
};

/** What `all` runs: the four services of the pipeline (the gateway only where OpenTelemetry comes in). */
const ALL = ['topology-builder', 'propagation-scorer', 'allocator', 'learner'];

/** `foresight run --help`. */
export const RUN_USAGE = `Usage: foresight run <target>
  Runs services in this process until SIGTERM/SIGINT. <target> is one of:
    topology-builder, propagation-scorer, allocator, learner   one service
    telemetry-gateway                                          OpenTelemetry in (docs/ingestion.md)
    all                                                        the first four, in one process (one health/metrics port)
    <a>,<b>[,...]                                              several, e.g. topology-builder,propagation-scorer
  They start in that order whatever the order given. Configuration comes from FORESIGHT_* environment variables
  (Kafka, the schema registry, Neo4j, Redis, each service's settings), listed in docs/operations.md; a bad setting
  stops start-up with a message naming it. Health: GET /healthz, /readyz; metrics: GET /metrics on FORESIGHT_HTTP_PORT.
`;

const HELP = new Set(['--help', '-h', 'help']);

/** Where `foresight run` writes its usage and complaints (the process's streams, or a test's). */
export interface RunOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

const PROCESS_OUTPUT: RunOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** The services a `foresight run` target names: `all`, one service, or several joined by commas (in start order). */
export function servicesOf(target: string | undefined): string[] | undefined {
  if (target === undefined || target === '') return undefined;
  if (target === 'all') return ALL;
  const names = target.split(',');
  if (names.some((name) => !(name in SERVICES)) || new Set(names).size !== names.length) return undefined;
  return Object.keys(SERVICES).filter((name) => names.includes(name));
}

/** `foresight run <service>[,<service>...]|all`: runs until SIGTERM/SIGINT; configuration comes from the environment. */
export function runCommand(args: readonly string[], output: RunOutput = PROCESS_OUTPUT): Promise<number> {
  const target = args[0];
  if (args.some((arg) => HELP.has(arg))) {
    output.stdout(RUN_USAGE);
    return Promise.resolve(0);
  }
  const names = args.length === 1 ? servicesOf(target) : undefined;
  if (names === undefined) {
    const got = target === undefined ? 'nothing' : args.join(' ');
    output.stderr(`foresight run: expected all, or one or more of ${Object.keys(SERVICES).join(', ')} joined by commas, got ${got}\n\n${RUN_USAGE}`);
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
