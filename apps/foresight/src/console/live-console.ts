import type { Logger, MessageBus } from '@foresight/messaging';
import { consoleConsumers } from './console-consumers.js';
import { startConsoleServer, type ConsoleServer } from './console-server.js';
import type { ConsoleStores } from './console-stores.js';
import type { EventStreamOptions } from './event-stream.js';
import { LiveFleet, type LiveFleetLimits } from './live-fleet.js';
import { ModelVulnerability } from './model-vulnerability.js';
import { HostDirectory } from './pool-view.js';
import { ServiceCounters } from './service-counters.js';
import { loadStoredModels } from './stored-models.js';
import { loadStoredIncidents } from './stored-incidents.js';

/** What a console runs on: a bus to follow the topics, the stores to read, where to serve. */
export interface LiveConsoleOptions {
  readonly bus: Pick<MessageBus, 'startConsumers'>;
  readonly stores: ConsoleStores;
  readonly groupId: string;
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly limits?: LiveFleetLimits;
  readonly stream?: EventStreamOptions;
  /** /metrics endpoints to read refusal counters from. */
  readonly metricsUrls?: readonly string[];
  /** A trace UI's address template with `{traceId}`: the incident view links its trace. */
  readonly traceUrl?: string;
}

/** A running console: its address, its memory of the fleet, and how to stop it (the bus and stores stay the caller's). */
export interface LiveConsole {
  readonly server: ConsoleServer;
  readonly fleet: LiveFleet;
  /** Incidents read from the stores at start. */
  readonly loadedIncidents: number;
}

/**
 * Starts a console: joins the topics first (its own group, from the latest offsets), then reads the current state from
 * the stores (what was open before it joined), then serves. A risk version that arrives live while the stores are read
 * is kept over an older stored one, whichever comes first, so nothing between the read and the join is lost.
 */
export async function startLiveConsole(options: LiveConsoleOptions): Promise<LiveConsole> {
  const now = options.now ?? Date.now;
  const fleet = new LiveFleet(options.limits);
  await options.bus.startConsumers(consoleConsumers(fleet, options.groupId));
  const loadedIncidents = await loadStoredIncidents(options.stores, fleet, fleet.limits.incidents);
  await loadStoredModels(options.stores, fleet);
  const server = await startConsoleServer(
    { host: options.host, port: options.port, token: options.token, logger: options.logger, ...(options.stream === undefined ? {} : { stream: options.stream }),
      ...(options.traceUrl === undefined ? {} : { traceUrl: options.traceUrl }) },
    {
      fleet, stores: options.stores, now, vulnerability: new ModelVulnerability(options.stores, now), hosts: new HostDirectory(options.stores, now),
      counters: new ServiceCounters(options.metricsUrls ?? [], now),
    },
  );
  return { server, fleet, loadedIncidents };
}
