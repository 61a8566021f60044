import { dependencyChecks, type Dependencies } from '../health/dependency-checks.js';
import type { ServiceConfig, ServiceContext } from './run-service.js';

/**
 * Registers the readiness checks of a service's dependencies (dependencyChecks) on /readyz, with the stall threshold
 * of its settings (FORESIGHT_STALL_AFTER).
 */
export function addDependencyChecks<C extends ServiceConfig>(context: ServiceContext<C>, dependencies: Dependencies): void {
  for (const [name, check] of Object.entries(dependencyChecks(dependencies, context.config.service.stallAfterMs))) context.addReadinessCheck(name, check);
}
