import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyComponentAnomaly, applyScopeAnomaly, incidentIdFor, type OriginOptions } from '../../src/incident/anomaly-evidence.js';
import { incidentForAnomaly, incidentForScope } from '../../src/incident/incident-matching.js';
import { openIncident } from '../../src/incident/incident-state.js';
import type { AnomalyReport, TrackedIncident } from '../../src/incident/tracked-incident.js';
import { chain, MODEL, T0, TYPE } from './incident-fixtures.js';

const ORIGINS: OriginOptions = { originCount: 1, minOriginPosterior: 0 };

function report(eventId: string, subjectId: string, overrides: Partial<AnomalyReport> = {}): AnomalyReport {
  return { eventId, eventTime: T0, systemId: 's1', level: 'COMPONENT', subjectId, anomalyType: TYPE, severity: 0.8, state: 'OPEN', ...overrides };
}

function tracked(id: string, sources: readonly string[], predicted: Record<string, number> = {}, openedAt = T0, anomalyType = TYPE): TrackedIncident {
  return {
    systemId: 's1',
    state: openIncident(id, anomalyType, openedAt, sources.map((vmId) => ({ vmId, onsetAt: openedAt, severity: 0.5 }))),
    riskVersion: 1, lastEvidenceAt: openedAt, generatedAt: openedAt, modelVersion: 0, scopes: [], predicted: new Map(Object.entries(predicted)), unknownVmIds: [],
  };
}

test('a VM in no incident opens one named after the report', () => {
  const outcome = applyComponentAnomaly([], report('e1', 'a'), T0);
  assert.equal(outcome.incidents.length, 1);
  assert.equal(outcome.incidents[0].state.incidentId, incidentIdFor(report('e1', 'a')));
  assert.equal(outcome.incidents[0].state.incidentId, 'incident:e1');
  assert.deepEqual([...outcome.touched], ['incident:e1']);
  assert.deepEqual(outcome.vmIds, ['a']);
});

test('a VM joins the incident that predicted it likeliest (ties: the older), never one of another type', () => {
  const incidents = [tracked('new', ['x'], { a: 0.4 }, T0 + 10), tracked('old', ['y'], { a: 0.4 }, T0), tracked('other-type', ['z'], { a: 0.9 }, T0, 'cpu_saturation')];
  assert.equal(incidentForAnomaly(incidents, 'a', TYPE), 1);
  const outcome = applyComponentAnomaly(incidents, report('e2', 'a', { eventTime: T0 + 20 }), T0 + 20);
  assert.deepEqual([...outcome.touched], ['old']);
  assert.ok(outcome.incidents[1].state.sources.has('a'));
  assert.equal(outcome.incidents[1].lastEvidenceAt, T0 + 20);
});

test('a repeat report joins the incident where the VM already is a source', () => {
  const incidents = [tracked('i1', ['a']), tracked('i2', ['b'], { a: 0.9 })];
  assert.equal(incidentForAnomaly(incidents, 'a', TYPE), 0);
});

test('a recovery retires the VM where it is an active source, and matching none changes nothing', () => {
  const incidents = [tracked('i1', ['a'])];
  const recovered = applyComponentAnomaly(incidents, report('e3', 'a', { state: 'RESOLVED', eventTime: T0 + 5 }), T0 + 5);
  assert.deepEqual([...recovered.touched], ['i1']);
  assert.equal(recovered.incidents[0].state.sources.has('a'), false);
  const ignored = applyComponentAnomaly(incidents, report('e4', 'b', { state: 'RESOLVED' }), T0);
  assert.equal(ignored.ignored, 'recovery_without_incident');
  assert.equal(ignored.touched.size, 0);
});

test('a group report traces its origin and opens an incident that remembers the scope', () => {
  const { snapshot } = chain(['a', 'b', 'c']);
  const outcome = applyScopeAnomaly([], report('g1-open', 'g1', { level: 'GROUP' }), T0, snapshot, MODEL, ORIGINS);
  assert.equal(outcome.incidents.length, 1);
  const incident = outcome.incidents[0];
  assert.equal(incident.state.incidentId, 'incident:g1-open');
  assert.equal(incident.scopes.length, 1);
  assert.deepEqual(incident.scopes[0].originVmIds, outcome.vmIds);
  assert.equal(incident.state.sources.size, 1);
  // The same scope again only keeps that incident alive.
  assert.equal(incidentForScope(outcome.incidents, { level: 'GROUP', id: 'g1' }, TYPE, snapshot), 0);
  const again = applyScopeAnomaly(outcome.incidents, report('g1-again', 'g1', { level: 'GROUP', eventTime: T0 + 9 }), T0 + 9, snapshot, MODEL, ORIGINS);
  assert.equal(again.incidents.length, 1);
  assert.equal(again.touched.size, 0);
  assert.equal(again.incidents[0].lastEvidenceAt, T0 + 9);
  // Its resolution recovers the traced origins.
  const resolved = applyScopeAnomaly(again.incidents, report('g1-resolved', 'g1', { level: 'GROUP', state: 'RESOLVED', eventTime: T0 + 20 }), T0 + 20, snapshot, MODEL, ORIGINS);
  assert.deepEqual([...resolved.touched], ['incident:g1-open']);
  assert.equal(resolved.incidents[0].state.sources.size, 0);
  assert.equal(resolved.incidents[0].scopes.length, 0);
});

test('a scope the topology has no VM of is ignored', () => {
  const { snapshot } = chain(['a', 'b']);
  const outcome = applyScopeAnomaly([], report('s9', 'nowhere', { level: 'SYSTEM' }), T0, snapshot, MODEL, ORIGINS);
  assert.equal(outcome.ignored, 'unknown_scope');
  assert.equal(outcome.incidents.length, 0);
});
