import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openIncident, observeRecovered } from '../../src/incident/incident-state.js';
import { publishedAtRisk, rescoreDue, rescoreIncident, type RescoreOptions } from '../../src/incident/rescore-incident.js';
import type { TrackedIncident } from '../../src/incident/tracked-incident.js';
import { chain, MODEL, T0, TYPE } from './incident-fixtures.js';

const OPTIONS: RescoreOptions = { estimator: 'mpp', probabilityFloor: 0.01, maxAtRisk: 1 };

function tracked(overrides: Partial<TrackedIncident> = {}): TrackedIncident {
  return {
    systemId: 's1', state: openIncident('i1', TYPE, T0, [{ vmId: 'a', onsetAt: T0, severity: 0.8 }]),
    riskVersion: 3, lastEvidenceAt: T0, generatedAt: T0 + 50, modelVersion: MODEL.version, scopes: [], predicted: new Map(), unknownVmIds: [], ...overrides,
  };
}

test('an open incident gets the next version, never earlier than the last, and keeps its top at-risk VMs for joining', () => {
  const { snapshot } = chain(['a', 'b', 'c']);
  const { version, next } = rescoreIncident(tracked(), snapshot, MODEL, T0 + 10, false, OPTIONS);
  assert.equal(version.version, 4);
  assert.equal(version.closed, false);
  assert.equal(version.generatedAt, T0 + 50);
  assert.ok(version.assessment.atRisk.length >= 2);
  assert.ok(next !== undefined);
  assert.equal(next.riskVersion, 4);
  assert.equal(next.state.lastAssessment, null);
  assert.deepEqual([...next.predicted.keys()], publishedAtRisk(version, 1).map((e) => e.vmId));
  assert.equal(next.predicted.size, 1);
});

test('a timed-out or resolved incident closes: a CLOSED version with nothing at risk, and no longer tracked', () => {
  const { snapshot } = chain(['a', 'b']);
  const timedOut = rescoreIncident(tracked(), snapshot, MODEL, T0 + 100, true, OPTIONS);
  assert.equal(timedOut.version.closed, true);
  assert.equal(timedOut.next, undefined);
  assert.deepEqual(publishedAtRisk(timedOut.version, 10), []);
  const resolved = tracked({ state: observeRecovered(tracked().state, 'a', T0 + 5) });
  const closed = rescoreIncident(resolved, snapshot, MODEL, T0 + 100, false, OPTIONS);
  assert.equal(closed.version.closed, true);
  assert.equal(closed.next, undefined);
});

test('a tick re-scores an incident without evidence for the time-out, or one assessed on an outdated model or topology', () => {
  const knows = (known: string[]) => (vmId: string) => known.includes(vmId);
  assert.equal(rescoreDue(tracked(), T0 + 1_000, MODEL.version, 1_000, knows([])), 'expired');
  assert.equal(rescoreDue(tracked(), T0 + 999, MODEL.version, 1_000, knows([])), undefined);
  assert.equal(rescoreDue(tracked(), T0, MODEL.version + 1, 1_000, knows([])), 'outdated');
  assert.equal(rescoreDue(tracked({ unknownVmIds: ['z'] }), T0, MODEL.version, 1_000, knows([])), undefined);
  assert.equal(rescoreDue(tracked({ unknownVmIds: ['z'] }), T0, MODEL.version, 1_000, knows(['z'])), 'outdated');
});
