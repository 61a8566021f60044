import type { PoolLedger } from '@foresight/stores';
import { parsePage, type Page } from './console-input.js';
import type { ConsoleStores } from './console-stores.js';
import type { LiveFleet, LiveRefusal } from './live-fleet.js';
import type { ServiceCounters } from './service-counters.js';

/** The allocator's document of each host it knows (id: hostId), written from the hosts topic. */
const HOST_DOCUMENT_KIND = 'allocator-host';
const HOST_IDS_CACHE_MS = 10_000;
const MAX_OUTCOMES = 50;

/** The pool view. */
export interface PoolView {
  readonly budget: PoolLedger;
  readonly activeReservations: number;
  readonly hosts: Page<{ readonly hostId: string; readonly ledger: PoolLedger | null }>;
  /** Grants the allocator wanted and did not make, by guardrail (its /metrics), when configured. */
  readonly refusals: readonly { readonly reason: string; readonly count: number; readonly source: string }[];
  readonly refusalsSource: string;
  /** Commands the actuator did not apply, newest first. */
  readonly outcomes: readonly LiveRefusal[];
}

/** Host ids, sorted: listed from the allocator's documents, kept a few seconds (one list per page view would be O(hosts)). */
export class HostDirectory {
  private cached: { at: number; ids: Promise<string[]> } | undefined;

  constructor(private readonly stores: ConsoleStores, private readonly now: () => number = Date.now) {}

  ids(): Promise<string[]> {
    if (this.cached !== undefined && this.now() - this.cached.at < HOST_IDS_CACHE_MS) return this.cached.ids;
    const ids = this.stores.documents.list(HOST_DOCUMENT_KIND).then((docs) => docs.map((d) => d.id).sort());
    ids.catch(() => (this.cached = undefined));
    this.cached = { at: this.now(), ids };
    return ids;
  }
}

/**
 * GET /api/pool?page&size: the proactive budget, one page of hosts with what is reserved and free on each (one ledger
 * read for the page), the guardrails that refused grants, and the commands the actuator did not apply.
 */
export async function poolView(fleet: LiveFleet, stores: ConsoleStores, hosts: HostDirectory, counters: ServiceCounters, query: URLSearchParams): Promise<PoolView> {
  const request = parsePage(query, 50);
  const ids = await hosts.ids();
  const pageIds = ids.slice((request.page - 1) * request.size, request.page * request.size);
  const [budget, ledgers, activeReservations, reading] = await Promise.all([
    stores.ledger.budget(),
    pageIds.length === 0 ? Promise.resolve([]) : stores.ledger.hostLedgers(pageIds),
    stores.ledger.countActiveReservations(),
    counters.configured ? counters.read('foresight_grants_refused_total', 'reason') : Promise.resolve(undefined),
  ]);
  return {
    budget,
    activeReservations,
    hosts: { items: pageIds.map((hostId, i) => ({ hostId, ledger: ledgers[i] ?? null })), page: request.page, size: request.size, total: ids.length },
    refusals: reading?.counts.map((c) => ({ reason: c.value, count: c.count, source: 'foresight_grants_refused_total' })) ?? [],
    refusalsSource: reading === undefined
      ? 'Refused grants are counted on the allocators\' /metrics (foresight_grants_refused_total by reason): set FORESIGHT_CONSOLE_METRICS_URLS to show them here.'
      : `Summed over the configured /metrics endpoints since each allocator started${reading.unreachable > 0 ? ` (${reading.unreachable} did not answer)` : ''}.`,
    outcomes: fleet.refusals().slice(-MAX_OUTCOMES).reverse(),
  };
}
