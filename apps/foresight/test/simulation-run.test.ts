import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProgress, formatSummary, layoutIncident, renderReport, runSimulation, type SimulationProgress } from '../src/index.js';

const CHARTS = ['chart-learning-curve', 'chart-precision-recall', 'chart-degraded', 'chart-resource-cost', 'chart-incident-graph', 'chart-incident-grants'];

describe('runSimulation', () => {
  it('runs the four services on a small simulated fleet and judges three policies on the same incidents', async () => {
    const progress: SimulationProgress[] = [];
    const result = await runSimulation({ vms: 300, durationMs: 15 * 60_000, seed: 3 }, { onProgress: (p) => progress.push(p), progressEveryMs: 5 * 60_000 });
    assert.equal(result.incidents, 10);
    assert.ok(result.messages.risk > 0, 'the scorer published risk');
    assert.ok(result.messages.allocations > 0, 'the allocator published commands');
    const p = result.policies;
    assert.ok(p.none.degradedVmMinutes >= p.reactive.degradedVmMinutes, 'the autoscaler never makes it worse');
    assert.ok(p.reactive.degradedVmMinutes >= p.predictive.degradedVmMinutes - 1e-9, 'grants on top of the autoscaler never make it worse');
    assert.equal(p.none.grantedUnitMinutes, 0);
    assert.ok(p.predictive.grantedUnitMinutes >= p.predictive.wastedUnitMinutes);
    assert.ok(progress.length >= 3 && progress[progress.length - 1].now === result.endAt);
    assert.match(formatProgress(progress[1]), /^\[#*\.*\] +\d+% sim \d:\d\d:\d\d\/\d:\d\d:\d\d {2}incidents \d+/);
    const summary = formatSummary(result);
    for (const row of ['predictive (Foresight + autoscaler)', 'reactive (autoscaler only)', 'no action', 'AUPRC']) assert.ok(summary.includes(row), row);

    const html = renderReport(result);
    for (const id of CHARTS) assert.ok(html.includes(`data-chart="${id}"`), `chart ${id}`);
    assert.doesNotMatch(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, ''), /https?:\/\//, 'no network resource');
    assert.doesNotMatch(html, /<script/i);
    assert.ok(result.showcase !== undefined);
    assert.deepEqual(layoutIncident(result.showcase), layoutIncident(result.showcase), 'the layout is deterministic');
  });

  it('is reproducible from the seed', async () => {
    const a = await runSimulation({ vms: 200, durationMs: 6 * 60_000, seed: 5 });
    const b = await runSimulation({ vms: 200, durationMs: 6 * 60_000, seed: 5 });
    assert.deepEqual(a.policies, b.policies);
    assert.deepEqual(a.prediction, b.prediction);
  });
});
