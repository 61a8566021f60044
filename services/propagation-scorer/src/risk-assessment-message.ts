import type { AtRiskVm, RiskAssessment } from '@foresight/contracts';
import { publishedAtRisk, type RiskEntry, type RiskVersion, type TopologySnapshot } from '@foresight/core';
import type { ScoreEntry } from '@foresight/stores';

function atRiskVm(entry: RiskEntry, generatedAt: number, snapshot: TopologySnapshot): AtRiskVm {
  return {
    vmId: entry.vmId,
    hostId: snapshot.vm(entry.vmId)?.hostId ?? '',
    probability: Math.min(1, Math.max(0, entry.probability)),
    etaMs: Math.max(0, Math.round(entry.etaAt - generatedAt)),
    path: entry.path,
    contributions: entry.contributions.map((c) => ({
      from: c.from, to: c.to, kind: c.kind, direction: c.direction, probability: Math.min(1, Math.max(0, c.probability)), delayMs: Math.max(0, c.delayMs),
    })),
  };
}

/**
 * The risk message of a version: CLOSED once resolved or timed out (no VM at risk, so the allocator releases the
 * incident's grants), etaMs relative to generatedAt and never negative. The event id derives from the incident and
 * the version, so a redelivered anomaly republishes the same id.
 */
export function riskAssessmentMessage(version: RiskVersion, snapshot: TopologySnapshot, maxAtRisk: number): RiskAssessment {
  const a = version.assessment;
  const generatedAt = Math.round(version.generatedAt);
  return {
    eventId: `risk:${version.incidentId}:${version.version}`,
    eventTime: generatedAt,
    incidentId: version.incidentId,
    version: version.version,
    status: version.closed ? 'CLOSED' : 'OPEN',
    systemId: version.systemId,
    anomalyType: a.anomalyType,
    severity: version.closed ? 0 : Math.min(1, Math.max(0, a.severity)),
    estimator: a.estimator,
    sources: a.sources.map((s) => ({ vmId: s.vmId, onsetAt: Math.round(s.onsetAt) })),
    modelVersion: a.modelVersion,
    generatedAt,
    atRisk: publishedAtRisk(version, maxAtRisk).map((entry) => atRiskVm(entry, version.generatedAt, snapshot)),
  };
}

/** The hot scores of a version (empty once closed, which retracts the incident's scores). */
export function hotScores(version: RiskVersion, maxAtRisk: number): ScoreEntry[] {
  return publishedAtRisk(version, maxAtRisk).map((e) => ({ vmId: e.vmId, probability: Math.min(1, Math.max(0, e.probability)), etaAt: e.etaAt }));
}
