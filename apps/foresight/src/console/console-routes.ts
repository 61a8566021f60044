import { isStoreError } from '@foresight/stores';
import { ConsoleError } from './console-error.js';
import { parseId } from './console-input.js';
import type { ConsoleStores } from './console-stores.js';
import { fleetView } from './fleet-view.js';
import { incidentView } from './incident-view.js';
import type { LiveFleet } from './live-fleet.js';
import { modelView } from './model-view.js';
import type { ModelVulnerability } from './model-vulnerability.js';
import { poolView, type HostDirectory } from './pool-view.js';
import type { ServiceCounters } from './service-counters.js';
import { vmView } from './vm-view.js';

/** What the API handlers read. */
export interface ConsoleApiDeps {
  readonly fleet: LiveFleet;
  readonly stores: ConsoleStores;
  /** Wall clock, only to say when a view was read. */
  readonly now: () => number;
  readonly vulnerability: ModelVulnerability;
  readonly hosts: HostDirectory;
  /** Refusal counters from the services' /metrics (when configured). */
  readonly counters: ServiceCounters;
}

/** The JSON API's routes (GET only): a path and its handler. */
const ROUTES: readonly { readonly pattern: RegExp; readonly handle: (match: RegExpExecArray, query: URLSearchParams, deps: ConsoleApiDeps) => unknown }[] = [
  { pattern: /^\/api\/fleet$/, handle: (_m, query, deps) => fleetView(deps.fleet, query, deps.now()) },
  { pattern: /^\/api\/incidents\/([^/]+)$/, handle: (m, query, deps) => incidentView(deps.fleet, deps.stores, parseId('incident id', decode(m[1])), query) },
  { pattern: /^\/api\/vms\/([^/]+)$/, handle: (m, query, deps) => vmView(deps.fleet, deps.stores, deps.vulnerability, parseId('VM id', decode(m[1])), query) },
  { pattern: /^\/api\/models$/, handle: (_m, _query, deps) => modelView(deps.fleet, deps.counters) },
  { pattern: /^\/api\/pool$/, handle: (_m, query, deps) => poolView(deps.fleet, deps.stores, deps.hosts, deps.counters, query) },
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ConsoleError('INVALID_INPUT', 'malformed percent-encoding in the path');
  }
}

/** True when `pathname` is an API route. */
export function isApiRoute(pathname: string): boolean {
  return ROUTES.some((r) => r.pattern.test(pathname));
}

/**
 * Answers one API request: the view's JSON, or throws a ConsoleError (a store that fails becomes STORE_UNAVAILABLE,
 * anything else INTERNAL, with no detail beyond its code and message).
 */
export async function routeApi(pathname: string, query: URLSearchParams, deps: ConsoleApiDeps): Promise<unknown> {
  for (const route of ROUTES) {
    const match = route.pattern.exec(pathname);
    if (match === null) continue;
    try {
      return await route.handle(match, query, deps);
    } catch (error) {
      if (error instanceof ConsoleError) throw error;
      if (isStoreError(error)) throw new ConsoleError('STORE_UNAVAILABLE', `a store did not answer (${error.code})`, { cause: error });
      throw new ConsoleError('INTERNAL', 'the view failed', { cause: error });
    }
  }
  throw new ConsoleError('NOT_FOUND', `no such API: ${pathname.slice(0, 100)}`);
}
