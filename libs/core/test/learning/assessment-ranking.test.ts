import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairedAssessmentScores } from '../../src/learning/assessment-ranking.js';
import { averagePrecision } from '../../src/learning/model-evaluation.js';
import type { IncidentOutcome } from '../../src/learning/outcome.js';
import { publicationDecision } from '../../src/learning/publication.js';
import { defaultModel } from '../../src/model/default-model.js';
import { buildTopologySnapshot } from '../../src/topology/build-topology-snapshot.js';
import { NEUTRAL_FEATURES, type Pathway } from '../../src/topology/pathway.js';
import type { Vm } from '../../src/topology/vm.js';
import { withCarriers } from './cascade-simulation.js';
import { exposure } from './outcome-builders.js';

const size = { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 100 };
const vm = (id: string): Vm => ({ id, hostId: `h-${id}`, groupId: id, systemId: 'sys', capacity: size, allocation: size, criticality: 0.5 });
// The source s is called by a busy caller (1,000 calls/s) and a quiet one (1 call/s): latency travels callee → caller.
const call = (caller: string, calls: number): Pathway => ({ source: caller, target: 's', kind: 'API_CALL', features: { ...NEUTRAL_FEATURES, callsPerSec: calls, lastSeenAt: 0 } });
const snapshot = buildTopologySnapshot(['s', 'busy', 'quiet', 'far'].map(vm), [call('busy', 1000), call('quiet', 1)]);
const model = (callsSlope: number) => withCarriers(defaultModel('m'), 'latency', [{ kind: 'API_CALL', direction: 'reverse', weights: [-1, 0, callsSlope, 0, 0, 0], delayMs: 30_000 }]);

/** Incidents from s where the quiet caller falls and the busy one does not (the far VM falls unexposed in the first). */
function outcomes(count: number): IncidentOutcome[] {
  return Array.from({ length: count }, (_, i) => ({
    incidentId: `i${i}`, onsetAt: 0, modelVersion: 1, anomalyType: 'latency', sources: [{ vmId: 's', onsetAt: 0 }],
    exposures: [exposure({ vmId: 'quiet', becameAnomalous: true, onsetDelayMs: 60_000 }), exposure({ vmId: 'busy', becameAnomalous: false })],
    missed: i === 0 ? [{ vmId: 'far', anomalyType: 'latency', onsetDelayMs: 90_000 }] : [],
  }));
}

describe('the publication gate re-ranks held-out first assessments on the topology', () => {
  it('pairs both models\' scores per VM: listed by either, or anomalous (unlisted: 0), sources out', () => {
    const quietFirst = model(-4);
    const busyFirst = model(4);
    const paired = pairedAssessmentScores(snapshot, busyFirst, quietFirst, outcomes(2));
    assert.equal(paired.incidents, 2);
    assert.equal(paired.candidate.length, paired.current.length);
    const first = paired.candidate.filter((s) => s.incident === 0);
    assert.deepEqual(first.map((s) => s.y), [false, true, true], 'busy, far, quiet (by id): far missed and unreachable');
    assert.equal(first[1]?.p, 0, 'an anomalous VM no model lists scores 0');
    assert.ok(paired.candidate.every((s) => s.p < 1) && paired.current.every((s) => s.p < 1));
    assert.ok((averagePrecision(paired.candidate) ?? 1) < (averagePrecision(paired.current) ?? 0), 'ranking the busy caller first is worse here');
    const skipped = pairedAssessmentScores(snapshot, busyFirst, quietFirst, outcomes(2).map(({ sources: _s, ...o }) => o));
    assert.equal(skipped.incidents, 0, 'outcomes recorded without their sources are skipped');
  });

  it('refuses a candidate whose re-ranked first assessments are worse, and reports the paired difference', () => {
    const current = { ...model(-4), version: 1 };
    const candidate = { ...model(4), version: 2 };
    const heldOut = outcomes(30);
    const decision = publicationDecision(candidate, current, heldOut, { minHeldOutExamples: 1, minHeldOutPositives: 1 }, { snapshot });
    assert.equal(decision.verdict, 'WORSE_RANKING', decision.reason);
    assert.ok(decision.assessment.difference !== null && decision.assessment.difference < 0, JSON.stringify(decision.assessment));
    const reverse = publicationDecision({ ...current, version: 3 }, { ...candidate, version: 2 }, heldOut, { minHeldOutExamples: 1, minHeldOutPositives: 1 }, { snapshot });
    assert.ok(reverse.assessment.difference !== null && reverse.assessment.difference > 0);
    // Not worse than the current model, but worse than the starting one: small losses cannot add up over publications.
    const drifted = publicationDecision({ ...model(2), version: 3 }, { ...model(4), version: 2 }, heldOut, { minHeldOutExamples: 1, minHeldOutPositives: 1 }, { snapshot, baseline: current });
    assert.equal(drifted.verdict, 'WORSE_THAN_BASELINE', drifted.reason);
    const blind = publicationDecision(candidate, current, heldOut, { minHeldOutExamples: 1, minHeldOutPositives: 1 });
    assert.equal(blind.assessment.difference, null, 'without a topology the check is not run');
  });
});
