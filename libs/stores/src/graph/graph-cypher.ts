import type { PathwayKind } from '@foresight/core';

// Every statement here is a constant: values travel only as parameters ($ns, $rows…). Relationship types cannot be
// parameters in an indexed MERGE, so each observed pathway kind gets its own pre-built statement from this fixed map.

type ObservedKind = Exclude<PathwayKind, 'CO_LOCATED'>;

/** Relationship type of each stored pathway kind (the only source of relationship types in any statement). */
export const PATHWAY_REL_TYPE: Readonly<Record<ObservedKind, string>> = Object.freeze({
  API_CALL: 'CALLS',
  NETWORK: 'NETWORK_FLOW',
  SHARED_STORAGE: 'SHARES_STORAGE',
});

/** Pathway kind of each relationship type. */
export const KIND_OF_REL_TYPE: ReadonlyMap<string, ObservedKind> = new Map(
  (Object.entries(PATHWAY_REL_TYPE) as [ObservedKind, string][]).map(([kind, type]) => [type, kind]),
);

const PATHWAY_TYPES = Object.values(PATHWAY_REL_TYPE).join('|');

/** Constraints and indexes, all IF NOT EXISTS: each node is unique on (ns, id) and findable by ns alone. */
export const SCHEMA_STATEMENTS: readonly string[] = ['Vm', 'Host', 'Group', 'System', 'Incident'].flatMap((label) => [
  `CREATE CONSTRAINT foresight_${label.toLowerCase()}_key IF NOT EXISTS FOR (n:${label}) REQUIRE (n.ns, n.id) IS UNIQUE`,
  `CREATE INDEX foresight_${label.toLowerCase()}_ns IF NOT EXISTS FOR (n:${label}) ON (n.ns)`,
]);

/** $rows: {id, hostId, groupId, systemId, props}. Placement, group and system are replaced, never accumulated. */
export const UPSERT_VMS = `
UNWIND $rows AS row
MERGE (v:Vm {ns: $ns, id: row.id})
SET v += row.props
MERGE (h:Host {ns: $ns, id: row.hostId})
MERGE (g:Group {ns: $ns, id: row.groupId})
MERGE (s:System {ns: $ns, id: row.systemId})
WITH v, h, g, s
CALL (v, h) { OPTIONAL MATCH (v)-[r:RUNS_ON]->(other) WHERE other <> h DELETE r }
CALL (v, g) { OPTIONAL MATCH (v)-[r:IN_GROUP]->(other) WHERE other <> g DELETE r }
CALL (g, s) { OPTIONAL MATCH (g)-[r:PART_OF]->(other) WHERE other <> s DELETE r }
MERGE (v)-[:RUNS_ON]->(h)
MERGE (v)-[:IN_GROUP]->(g)
MERGE (g)-[:PART_OF]->(s)`;

/** $ids. A removed VM loses its properties, placement and pathways; the node stays only while incidents point at it. */
export const REMOVE_VMS = `
UNWIND $ids AS id
MATCH (v:Vm {ns: $ns, id: id})
CALL (v) { MATCH (v)-[r:RUNS_ON|IN_GROUP|${PATHWAY_TYPES}]-() DELETE r }
SET v = {ns: v.ns, id: v.id}
WITH v WHERE NOT EXISTS { (v)--() }
DELETE v`;

/** $rows: {id, capacity: {capacityCpuMillis…}}. */
export const UPSERT_HOSTS = `
UNWIND $rows AS row
MERGE (h:Host {ns: $ns, id: row.id})
SET h += row.capacity`;

/** Upsert statement of each pathway kind. $rows: {source, target, features}; unknown ends become bare Vm nodes. */
export const UPSERT_PATHWAYS: Readonly<Record<ObservedKind, string>> = mapKinds((type) => `
UNWIND $rows AS row
MERGE (s:Vm {ns: $ns, id: row.source})
MERGE (t:Vm {ns: $ns, id: row.target})
MERGE (s)-[r:${type}]->(t)
SET r = row.features`);

/** Delete statement of each pathway kind. $rows: {source, target}. */
export const REMOVE_PATHWAYS: Readonly<Record<ObservedKind, string>> = mapKinds((type) => `
UNWIND $rows AS row
MATCH (:Vm {ns: $ns, id: row.source})-[r:${type}]->(:Vm {ns: $ns, id: row.target})
DELETE r`);

/** Inventory VMs (those with a host): every property. */
export const LOAD_VMS = `
MATCH (v:Vm {ns: $ns}) WHERE v.hostId IS NOT NULL
RETURN v {.*} AS vm`;

/** Hosts that were given a capacity. */
export const LOAD_HOSTS = `
MATCH (h:Host {ns: $ns}) WHERE h.capacityCpuMillis IS NOT NULL
RETURN h.id AS hostId, h {.*} AS props`;

/**
 * Pathways whose two ends are inventory VMs, one list per row: [source, target, relationship type, bandwidthMbps,
 * callsPerSec, latencyP50Ms, latencyP99Ms, errorRate, lastSeenAt] (a list decodes faster than a map of named
 * features, which matters at a million pathways: the scorer's cold start).
 */
export const LOAD_PATHWAYS = `
MATCH (s:Vm {ns: $ns})-[r:${PATHWAY_TYPES}]->(t:Vm)
WHERE s.hostId IS NOT NULL AND t.hostId IS NOT NULL
RETURN [s.id, t.id, type(r), r.bandwidthMbps, r.callsPerSec, r.latencyP50Ms, r.latencyP99Ms, r.errorRate, r.lastSeenAt] AS p`;

/** One inventory VM's properties (no row when it is not in the inventory). */
export const LOAD_VM = `
MATCH (v:Vm {ns: $ns, id: $vmId}) WHERE v.hostId IS NOT NULL
RETURN v {.*} AS vm`;

/** How many pathways join an inventory VM to inventory VMs (either direction). */
export const COUNT_VM_PATHWAYS = `
MATCH (v:Vm {ns: $ns, id: $vmId})-[r:${PATHWAY_TYPES}]-(o:Vm)
WHERE v.hostId IS NOT NULL AND o.hostId IS NOT NULL
RETURN count(DISTINCT r) AS total`;

/** The first $limit of those pathways by (source, target, relationship type): the types sort as their kinds do. */
export const LOAD_VM_PATHWAYS = `
MATCH (v:Vm {ns: $ns, id: $vmId})-[r:${PATHWAY_TYPES}]-(o:Vm)
WHERE v.hostId IS NOT NULL AND o.hostId IS NOT NULL
WITH DISTINCT r
WITH startNode(r).id AS source, endNode(r).id AS target, type(r) AS type, r {.*} AS features
RETURN source, target, type, features ORDER BY source, target, type LIMIT $limit`;

/** $incident: {id, anomalyType, openedAt, closedAt}, $affected: {vmId, at}[], $sources: string[]. Lists are replaced. */
export const RECORD_INCIDENT = `
MERGE (i:Incident {ns: $ns, id: $incident.id})
SET i.anomalyType = $incident.anomalyType, i.openedAt = $incident.openedAt, i.closedAt = $incident.closedAt
WITH i
CALL (i) { MATCH (i)-[r:AFFECTED|ORIGINATED_AT]->() DELETE r }
CALL (i) { UNWIND $affected AS a MERGE (v:Vm {ns: $ns, id: a.vmId}) CREATE (i)-[r:AFFECTED]->(v) SET r.at = a.at }
CALL (i) { UNWIND $sources AS id MERGE (v:Vm {ns: $ns, id: id}) CREATE (i)-[:ORIGINATED_AT]->(v) }`;

/** Incidents touching $vmId (every incident when $vmId is null). */
export const INCIDENT_HISTORY = `
MATCH (i:Incident {ns: $ns})
WHERE $vmId IS NULL OR EXISTS { (i)-[:AFFECTED|ORIGINATED_AT]->(:Vm {ns: $ns, id: $vmId}) }
RETURN i.id AS incidentId, i.anomalyType AS anomalyType, i.openedAt AS openedAt, i.closedAt AS closedAt,
  COLLECT { MATCH (i)-[r:AFFECTED]->(v) RETURN {vmId: v.id, at: r.at} } AS affected,
  COLLECT { MATCH (i)-[:ORIGINATED_AT]->(v) RETURN v.id } AS sources`;

/** Per VM: incidents (not originating at it) that affected it or a neighbour by pathway or shared host, and those that affected it. */
export const VULNERABILITY_COUNTS = `
MATCH (i:Incident {ns: $ns})-[:AFFECTED]->(a:Vm)
CALL (a) {
  RETURN a AS n
  UNION
  MATCH (a)-[:${PATHWAY_TYPES}]-(n:Vm) RETURN n
  UNION
  MATCH (a)-[:RUNS_ON]->(:Host)<-[:RUNS_ON]-(n:Vm) RETURN n
}
WITH DISTINCT i, n
WHERE NOT EXISTS { (i)-[:ORIGINATED_AT]->(n) }
WITH n, count(i) AS exposed, sum(CASE WHEN EXISTS { (i)-[:AFFECTED]->(n) } THEN 1 ELSE 0 END) AS affected
RETURN n.id AS vmId, exposed, affected`;

/** Deletes every node of the namespace in batches (tests and teardown). */
export const DROP_NAMESPACE = `
MATCH (n:Vm|Host|Group|System|Incident {ns: $ns})
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS`;

function mapKinds(build: (relType: string) => string): Readonly<Record<ObservedKind, string>> {
  return Object.freeze({
    API_CALL: build(PATHWAY_REL_TYPE.API_CALL),
    NETWORK: build(PATHWAY_REL_TYPE.NETWORK),
    SHARED_STORAGE: build(PATHWAY_REL_TYPE.SHARED_STORAGE),
  });
}
