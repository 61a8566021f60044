/** Every Redis key the state store uses, under one prefix (per deployment, or per test). */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  host(hostId: string): string { return `${this.prefix}host:${hostId}`; }
  budget(): string { return `${this.prefix}budget`; }
  command(commandId: string): string { return `${this.prefix}cmd:${commandId}`; }
  leases(): string { return `${this.prefix}leases`; }
  /** Active commandIds of one incident / one VM (maintained by the reserve and release scripts). */
  incidentReservations(incidentId: string): string { return `${this.prefix}incres:${incidentId}`; }
  vmReservations(vmId: string): string { return `${this.prefix}vmres:${vmId}`; }
  /** What a VM's active reservations hold in all (res:<resource>; kept by the ledger scripts; checked against a VM cap). */
  vmHoldings(vmId: string): string { return `${this.prefix}vmheld:${vmId}`; }
  /** Set once every active lease is counted in its VM's holdings (see RedisStateStore.init). */
  vmHoldingsVersion(): string { return `${this.prefix}vmheldindex`; }
  /** Set once the reservation indexes cover every active lease (see RedisStateStore.init). */
  reservationIndexVersion(): string { return `${this.prefix}resindex`; }
  scores(incidentId: string): string { return `${this.prefix}scores:${incidentId}`; }
  etas(incidentId: string): string { return `${this.prefix}etas:${incidentId}`; }
  scoreVersion(incidentId: string): string { return `${this.prefix}scorever:${incidentId}`; }
  vmRisk(vmId: string): string { return `${this.prefix}vmrisk:${vmId}`; }
  claim(key: string): string { return `${this.prefix}idem:${key}`; }
  quota(key: string): string { return `${this.prefix}quota:${key}`; }
  documents(kind: string): string { return `${this.prefix}doc:${kind}`; }

  /** A SCAN MATCH pattern for every key under the prefix (glob characters in the prefix escaped). */
  pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  }
}
