import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForesightError } from '../../src/errors.js';
import { observeAnomalous, observeHealthy, observeRecovered, openIncident } from '../../src/incident/incident-state.js';

const T = 1_000_000;

describe('incident state', () => {
  it('opens at version 1 with its initial sources and a normalised anomaly type', () => {
    const s = openIncident('inc-1', ' Latency ', T, [{ vmId: 'a', onsetAt: T, severity: 0.7 }]);
    assert.equal(s.version, 1);
    assert.equal(s.anomalyType, 'latency');
    assert.equal(s.status, 'OPEN');
    assert.deepEqual(s.sources.get('a'), { onsetAt: T, severity: 0.7, lastAnomalousAt: T });
    assert.equal(s.lastAssessment, null);
  });

  it('every observation returns a new version and leaves the previous state untouched', () => {
    const s1 = openIncident('inc-1', 'latency', T);
    const s2 = observeAnomalous(s1, 'a', T + 10);
    const s3 = observeHealthy(s2, 'b', T + 20);
    const s4 = observeRecovered(s3, 'a', T + 30);
    assert.deepEqual([s1, s2, s3, s4].map((s) => s.version), [1, 2, 3, 4]);
    assert.equal(s1.sources.size, 0);
    assert.equal(s2.sources.has('a'), true);
    assert.equal(s2.healthySeenAt.size, 0);
    assert.equal(s3.status, 'OPEN');
    assert.equal(s4.status, 'RESOLVED');
  });

  it('merges out-of-order observations: earliest onset, max severity, latest healthy time', () => {
    let s = openIncident('inc-1', 'latency', T);
    s = observeAnomalous(s, 'a', T + 50, 0.4);
    s = observeAnomalous(s, 'a', T + 20, 0.9);
    s = observeAnomalous(s, 'a', T + 80, 0.1);
    assert.deepEqual(s.sources.get('a'), { onsetAt: T + 20, severity: 0.9, lastAnomalousAt: T + 80 });
    s = observeHealthy(s, 'b', T + 200);
    s = observeHealthy(s, 'b', T + 100);
    assert.equal(s.healthySeenAt.get('b'), T + 200);
    assert.equal(s.anomalousSeenAt.get('a'), T + 80);
  });

  it('resolves only when every source has recovered, at the latest recovery time', () => {
    let s = openIncident('inc-1', 'latency', T, [{ vmId: 'a', onsetAt: T }, { vmId: 'b', onsetAt: T + 5 }]);
    s = observeRecovered(s, 'b', T + 100);
    assert.equal(s.status, 'OPEN');
    assert.deepEqual([...s.sources.keys()], ['a']);
    assert.deepEqual(s.retired.get('b'), { onsetAt: T + 5, severity: 1, recoveredAt: T + 100 });
    s = observeRecovered(s, 'a', T + 90);
    assert.equal(s.status, 'RESOLVED');
    assert.equal(s.resolvedAt, T + 100);
    assert.equal(s.sources.size, 0);
  });

  it('a stale recovery (older than the last anomalous observation) does not retire the source', () => {
    let s = openIncident('inc-1', 'latency', T, [{ vmId: 'a', onsetAt: T }]);
    s = observeAnomalous(s, 'a', T + 30);
    s = observeRecovered(s, 'a', T + 20);
    assert.equal(s.sources.has('a'), true);
    assert.equal(s.status, 'OPEN');
  });

  it('a relapse after recovery reopens the incident with a new onset; a stale anomalous report does not', () => {
    let s = openIncident('inc-1', 'latency', T, [{ vmId: 'a', onsetAt: T }]);
    s = observeRecovered(s, 'a', T + 100);
    assert.equal(s.status, 'RESOLVED');
    const stale = observeAnomalous(s, 'a', T + 60);
    assert.equal(stale.status, 'RESOLVED');
    assert.equal(stale.sources.size, 0);
    const relapse = observeAnomalous(s, 'a', T + 500);
    assert.equal(relapse.status, 'OPEN');
    assert.equal(relapse.resolvedAt, null);
    assert.equal(relapse.sources.get('a')?.onsetAt, T + 500);
    assert.equal(relapse.retired.has('a'), false);
  });

  it('recovery of a VM that was never a source records it as seen healthy', () => {
    let s = openIncident('inc-1', 'latency', T, [{ vmId: 'a', onsetAt: T }]);
    s = observeRecovered(s, 'z', T + 10);
    assert.equal(s.healthySeenAt.get('z'), T + 10);
    assert.equal(s.status, 'OPEN');
  });

  it('rejects non-finite times, bad severities and empty ids with INVALID_ARGUMENT', () => {
    const s = openIncident('inc-1', 'latency', T);
    const invalid = (e: unknown): boolean => isForesightError(e, 'INVALID_ARGUMENT');
    assert.throws(() => openIncident('', 'latency', T), invalid);
    assert.throws(() => openIncident('inc', 'latency', Number.NaN), invalid);
    assert.throws(() => observeAnomalous(s, 'a', Number.POSITIVE_INFINITY), invalid);
    assert.throws(() => observeAnomalous(s, 'a', T, 1.5), invalid);
    assert.throws(() => observeAnomalous(s, 'a', T, Number.NaN), invalid);
    assert.throws(() => observeHealthy(s, 'a', Number.NaN), invalid);
    assert.throws(() => observeRecovered(s, 'a', Number.NEGATIVE_INFINITY), invalid);
    assert.throws(() => observeAnomalous(s, '', T), invalid);
  });

  it('records ids it cannot check (no snapshot here): unknown VMs are handled by assess', () => {
    const s = observeAnomalous(openIncident('inc-1', 'latency', T), 'ghost', T);
    assert.equal(s.sources.has('ghost'), true);
  });
});
