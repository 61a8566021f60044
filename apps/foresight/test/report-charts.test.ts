import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { barChart, layoutIncident, lineChart, progressBar, stackedBarChart, type IncidentShowcase } from '../src/index.js';

const showcase: IncidentShowcase = {
  incidentId: 'incident:a<b', anomalyType: 'latency', firstDetectionAt: 60_000, horizonEnd: 1_860_000, sources: ['db'],
  atRisk: [
    { vmId: 'api-1', probability: 0.6, etaMs: 0, path: ['db', 'api-1'], kinds: ['API_CALL'] },
    { vmId: 'web-1', probability: 0.3, etaMs: 0, path: ['db', 'api-1', 'web-1'], kinds: ['API_CALL', 'API_CALL'] },
    { vmId: 'api-2', probability: 0.2, etaMs: 0, path: ['db', 'api-2'], kinds: ['API_CALL'] },
  ],
  affected: [{ vmId: 'db', onsetAt: 0 }, { vmId: 'api-1', onsetAt: 90_000, parentVmId: 'db' }, { vmId: 'cache', onsetAt: 120_000, parentVmId: 'api-1' }],
  grants: [{ vmId: 'api-1', start: 65_000, end: 600_000, by: 'foresight' }],
};

describe('report charts', () => {
  it('layers the incident by hops from the source and places missed VMs after their true parent', () => {
    const layout = layoutIncident(showcase);
    const layerOf = new Map(layout.nodes.map((node) => [node.vmId, node.layer]));
    assert.deepEqual(Object.fromEntries(layerOf), { db: 0, 'api-1': 1, 'api-2': 1, 'web-1': 2, cache: 2 });
    const hop1 = layout.nodes.filter((node) => node.layer === 1).map((node) => node.vmId);
    assert.deepEqual(hop1, ['api-1', 'api-2'], 'most likely first');
    assert.deepEqual(layout.truth, [{ from: 'db', to: 'api-1' }, { from: 'api-1', to: 'cache' }]);
  });

  it('draws escaped, self-contained SVG', () => {
    const bars = barChart({ id: 'b', title: 'a <title>' }, ['x', 'y'], [{ name: 's', color: '#000', values: [1, null] }]);
    assert.match(bars, /^<svg [^>]*data-chart="b"/);
    assert.ok(bars.includes('a &lt;title&gt;'));
    assert.equal((bars.match(/<rect [^>]*fill="#000" rx="2">/g) ?? []).length, 1, 'a null value draws no bar');
    assert.match(stackedBarChart({ id: 's', title: 't' }, ['x'], [{ name: 'a', color: '#111', values: [2] }, { name: 'b', color: '#222', values: [3] }]), />5</);
    assert.match(lineChart({ id: 'l', title: 't' }, [{ name: 'a', color: '#111', values: [null, 0.1, 0.2] }], [{ x: 2, label: 'v2' }]), /d="M[\d.]+,[\d.]+L/);
    assert.equal(progressBar(0.5, 10), '[#####.....]  50%');
  });
});
