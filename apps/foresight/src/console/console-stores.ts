import type { DocumentStore, GraphStore, LeaseLedger, RiskReadModel } from '@foresight/stores';

/**
 * What the console reads, and only reads: the hot scores (RiskReadModel), the services' documents (open incidents,
 * hosts, models), the lease ledger (reservations, per-host pools, the budget) and the graph (a VM's pathways, incident history): each
 * read bounded, never the whole graph.
 * On the stack these are Redis and Neo4j; in tests and the embedded mode their in-memory twins.
 */
export interface ConsoleStores {
  readonly risk: RiskReadModel;
  readonly documents: Pick<DocumentStore, 'get' | 'getMany' | 'list'>;
  readonly ledger: Pick<LeaseLedger, 'activeReservations' | 'countActiveReservations' | 'hostLedgers' | 'budget'>;
  readonly graph: Pick<GraphStore, 'vmNeighbourhood' | 'incidentHistory'>;
}
