import { ConfigError, type ConfigProblem } from '../config/config-error.js';
import type { RunningService, ServiceConfig, ServiceContext, ServiceDefinition } from './run-service.js';

/** The configuration of several services run as one: the first's kit settings, and each service's own. */
export interface CombinedConfig extends ServiceConfig {
  readonly parts: readonly ServiceConfig[];
}

/** A service definition with its configuration type hidden, so definitions of different services can be listed together. */
export interface AnyServiceDefinition {
  readonly name: string;
  loadConfig(): ServiceConfig;
  start(context: ServiceContext<ServiceConfig>): Promise<RunningService>;
}

/** Hides a definition's configuration type (its own loadConfig produces what its start consumes). */
export function anyService<C extends ServiceConfig>(definition: ServiceDefinition<C>): AnyServiceDefinition {
  let loaded: C | undefined;
  return {
    name: definition.name,
    loadConfig: () => (loaded = definition.loadConfig()),
    start: (context) => {
      if (loaded === undefined) throw new Error(`${definition.name}: start before loadConfig`);
      return definition.start({ ...context, config: loaded });
    },
  };
}

/**
 * Runs several services in one process under one health server, one telemetry and one signal handler:
 * configuration problems of all of them are reported together; they start in order and stop in reverse.
 */
export function combineServices(name: string, definitions: readonly AnyServiceDefinition[]): ServiceDefinition<CombinedConfig> {
  if (definitions.length === 0) throw new Error('combineServices needs at least one service');
  return {
    name,
    loadConfig: () => {
      const problems: ConfigProblem[] = [];
      const parts: ServiceConfig[] = [];
      for (const definition of definitions) {
        try {
          parts.push(definition.loadConfig());
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          for (const problem of error.problems) {
            if (!problems.some((p) => p.variable === problem.variable && p.reason === problem.reason)) problems.push(problem);
          }
        }
      }
      if (problems.length > 0) throw new ConfigError(problems);
      return { service: (parts[0]).service, parts };
    },
    async start(context) {
      const running: RunningService[] = [];
      const stopAll = async (): Promise<void> => {
        for (const service of running.reverse()) await service.stop();
      };
      try {
        for (const [i, definition] of definitions.entries()) {
          const part = context.config.parts[i];
          running.push(await definition.start({
            ...context,
            name: definition.name,
            config: part,
            logger: context.logger.child({ service: definition.name }),
            addReadinessCheck: (check, fn) => context.addReadinessCheck(`${definition.name}.${check}`, fn),
            step: (what, action) => context.step(`${definition.name} ${what}`, action),
            fail: (what, error) => context.fail(`${definition.name} ${what}`, error),
          }));
        }
      } catch (error) {
        await stopAll().catch(() => undefined);
        throw error;
      }
      return { stop: stopAll };
    },
  };
}
