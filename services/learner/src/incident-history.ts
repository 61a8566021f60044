import type { IncidentOutcome } from '@foresight/core';
import type { IncidentRecord } from '@foresight/stores';
import type { IncidentPredictions } from './incident-predictions.js';

/**
 * The incident as the graph store's history keeps it, once labelled: its sources, and every VM that became
 * anomalous within the horizon (listed or missed) with its onset. The store's vulnerability counts are built from it.
 */
export function incidentRecordOf(incident: IncidentPredictions, outcome: IncidentOutcome): IncidentRecord {
  const affectedAt: Record<string, number> = {};
  for (const [vmId, at] of Object.entries(incident.sources)) affectedAt[vmId] = at;
  for (const e of outcome.exposures) if (e.becameAnomalous) affectedAt[e.vmId] ??= incident.onsetAt + (e.onsetDelayMs ?? 0);
  for (const m of outcome.missed ?? []) affectedAt[m.vmId] ??= incident.onsetAt + m.onsetDelayMs;
  const openedAt = Math.min(incident.onsetAt, ...Object.values(affectedAt));
  const closedAt = incident.closedAt === undefined ? undefined : Math.max(openedAt, incident.closedAt);
  return {
    incidentId: incident.incidentId, anomalyType: incident.anomalyType, openedAt, ...(closedAt === undefined ? {} : { closedAt }),
    affectedVmIds: Object.keys(affectedAt).sort(), sourceVmIds: Object.keys(incident.sources).sort(), affectedAt,
  };
}
