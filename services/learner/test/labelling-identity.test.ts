import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RiskAssessment } from '@foresight/contracts';
import {
  DEFAULT_ALLOCATION_POLICY, defaultModel, ExposureIndex, scorePropagation, type IncidentOutcome, type LearnerState, type ModelParameters, type PropagationSource, type RiskEntry,
} from '@foresight/core';
import { incidentSystem, labelSimulatedIncident, observeTopology, simulateAllocator, type ObservedTopology, type SimulatedLabelling } from '@foresight/evaluation';
import { flowEvents, generateIncidents, generateTopology, hostEvents, inventoryEvents, trueParameters, type Incident } from '@foresight/sim';
import { DEFAULT_LEARNER_SETTINGS } from '../src/index.js';
import { grant, learnerWorld } from './learner-world.js';

// The evaluation judges its simulated incidents with the rule the learner service runs (core labelIncident): the same
// incident told to the learner on the bus (risk, anomalies, allocations, the topology in its graph store) must get
// exactly the outcome and evaluation the evaluation computes for it.

const SEED = 3;
const world = generateTopology({ vms: 150, seed: SEED });
const truth = trueParameters(world.vms, SEED);
const incidents = generateIncidents(world, truth, { count: 60, seed: SEED });
const telemetryAt = (incidents[0]?.onsetAt ?? 0) - 3_600_000;
const hosts = hostEvents(world, telemetryAt);
const observed = observeTopology(inventoryEvents(world, telemetryAt), hosts, flowEvents(world, { seed: SEED, until: telemetryAt }));
const exposures = new ExposureIndex(observed);

/** The evaluation's first assessment of an incident (runner.ts): sources reported by the first detection, multipath. */
function firstAssessment(incident: Incident, model: ModelParameters): { sources: PropagationSource[]; assessedAt: number; listed: readonly RiskEntry[] } | undefined {
  const opens = incident.anomalyEvents.filter((e) => e.state === 'OPEN');
  const assessedAt = opens[0]?.detectedAt;
  if (assessedAt === undefined) return undefined;
  const sources: PropagationSource[] = [];
  for (const e of opens) if (e.detectedAt <= assessedAt && !sources.some((s) => s.vmId === e.subjectId)) sources.push({ vmId: e.subjectId, onsetAt: e.eventTime });
  const listed = scorePropagation(observed.snapshot, model, incident.anomalyType, sources, { estimator: 'multipath', floor: 0.001 }).atRisk;
  return { sources, assessedAt, listed };
}

/** What the evaluation's main stream labels: with the closed loop's grants. */
function evaluationLabelling(incident: Incident, model: ModelParameters): SimulatedLabelling | undefined {
  const first = firstAssessment(incident, model);
  if (first === undefined) return undefined;
  const grants = simulateAllocator('predictive', incident, truth, observed, model, { policy: DEFAULT_ALLOCATION_POLICY, estimator: 'multipath' }).foresightGrantAt;
  return {
    incident, anomalyType: incident.anomalyType, model, ...first, features: observed.features, exposures, ...(grants === undefined ? {} : { grantAppliedAt: grants }),
  };
}

/** The risk message the scorer would publish for the first assessment. */
function riskMessage(s: SimulatedLabelling, topology: ObservedTopology): RiskAssessment {
  const systemId = incidentSystem(s.incident) ?? 'unknown';
  return {
    eventId: `risk:${s.incident.incidentId}:1`, eventTime: s.assessedAt, incidentId: s.incident.incidentId, version: 1, status: 'OPEN', systemId,
    anomalyType: s.anomalyType, severity: 1, estimator: 'multipath', sources: s.sources.map((x) => ({ vmId: x.vmId, onsetAt: x.onsetAt })),
    modelVersion: s.model.version, generatedAt: s.assessedAt,
    atRisk: s.listed.map((entry) => ({
      vmId: entry.vmId, hostId: topology.vmById.get(entry.vmId)?.hostId ?? '', probability: Math.min(1, Math.max(0, entry.probability)),
      etaMs: Math.max(0, Math.round(entry.etaAt - s.assessedAt)), path: entry.path,
      contributions: entry.contributions.map((c) => ({
        from: c.from, to: c.to, kind: c.kind, direction: c.direction, probability: Math.min(1, Math.max(0, c.probability)), delayMs: Math.max(0, c.delayMs),
      })),
    })),
  };
}

/** The incident told to a fresh learner on the in-memory bus; its judged outcome and published evaluation. */
async function throughTheLearner(s: SimulatedLabelling): Promise<{ outcome: IncidentOutcome; evaluation: Record<string, unknown> }> {
  const w = await learnerWorld({ minIncidentsPerStep: 100 });
  try {
    assert.deepEqual(await w.learner.currentModel(), s.model, 'the learner labels under the model the evaluation used');
    await w.graph.upsertHosts(hosts.map((h) => ({ hostId: h.hostId, capacity: h.capacity })));
    await w.graph.upsertVms(observed.vms);
    await w.graph.upsertPathways(observed.pathways);
    await w.send('risk', [riskMessage(s, observed)]);
    await w.send('anomalies', s.incident.anomalyEvents);
    await w.send('allocations', [...(s.grantAppliedAt ?? new Map<string, number>())].map(([vmId, at]) => grant(s.incident.incidentId, vmId, at)));
    const onsetAt = Math.min(...s.sources.map((x) => x.onsetAt));
    await w.tick(onsetAt + s.model.horizonMs);
    const json = await w.store.documents.get('learner-training', 'state');
    assert.ok(json !== undefined, 'the learner judged the incident');
    const state = (JSON.parse(json) as { learner: LearnerState }).learner;
    const outcome = [...state.training, ...state.heldOut].find((o) => o.incidentId === s.incident.incidentId);
    assert.ok(outcome !== undefined, 'its outcome went into training');
    assert.equal(w.evaluations.length, 1);
    const { eventId: _id, eventTime: _time, ...evaluation } = w.evaluations[0] as unknown as Record<string, unknown>;
    return { outcome, evaluation };
  } finally {
    await w.close();
  }
}

describe('labelling identity: the learner service and the evaluation', () => {
  it('give the same outcome and evaluation to the same simulated incidents', async () => {
    const m = defaultModel(DEFAULT_LEARNER_SETTINGS.modelId);
    let positives = 0;
    let negatives = 0;
    let missed = 0;
    let grants = 0;
    let judged = 0;
    for (const incident of incidents) {
      const s = evaluationLabelling(incident, m);
      if (s === undefined) continue;
      const expected = labelSimulatedIncident(s);
      const got = await throughTheLearner(s);
      assert.deepEqual(got.outcome, JSON.parse(JSON.stringify(expected.outcome)), `${incident.incidentId}: outcome`);
      assert.deepEqual(got.evaluation, JSON.parse(JSON.stringify(expected.summary)), `${incident.incidentId}: evaluation`);
      judged++;
      positives += expected.outcome.exposures.filter((e) => e.becameAnomalous).length;
      negatives += expected.outcome.exposures.filter((e) => !e.becameAnomalous).length;
      missed += expected.outcome.missed?.length ?? 0;
      grants += expected.outcome.exposures.filter((e) => e.grantInPlace).length;
      if (judged >= 12 && positives > 0 && missed > 0 && grants > 0) break;
    }
    // The comparison must have covered every kind of label, or it proves little.
    assert.ok(judged >= 12, `${judged} incidents judged`);
    assert.ok(positives > 0 && negatives > 0 && missed > 0 && grants > 0, `positives ${positives}, negatives ${negatives}, missed ${missed}, grants in place ${grants}`);
  });
});
