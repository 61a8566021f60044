import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isForesightError } from '../../src/errors.js';
import { originSources } from '../../src/incident/origin-sources.js';
import { traceOrigin } from '../../src/incident/trace-origin.js';
import { call, chain, MODEL, snapshotOf, T0, TYPE, vm } from './incident-fixtures.js';

const SECOND = 1000;
// Latency travels a → b → c (b calls a, c calls b); x is an unrelated VM of the same group.
const abc = snapshotOf([vm('a'), vm('b'), vm('c'), vm('x')], [call('b', 'a'), call('c', 'b')]);

describe('traceOrigin', () => {
  it('ranks the head of a chain first when its tail turns anomalous later', () => {
    const ranked = traceOrigin(abc, MODEL, TYPE, {
      scope: { level: 'GROUP', id: 'g1' },
      anomalous: [{ vmId: 'c', at: T0 + 60 * SECOND }, { vmId: 'b', at: T0 + 30 * SECOND }, { vmId: 'a', at: T0 }],
    });
    assert.equal(ranked[0]?.vmId, 'a');
    assert.equal(ranked[0]?.onsetAt, T0);
    assert.equal(ranked[0]?.explained, 2);
    assert.ok(ranked[0].posterior > 0.5, `posterior ${ranked[0].posterior}`);
    const total = ranked.reduce((s, c) => s + c.posterior, 0);
    assert.ok(Math.abs(total - 1) < 1e-9, 'all 4 candidates returned: posteriors sum to 1');
    for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1].posterior >= ranked[i].posterior);
  });

  it('finds an unobserved head from its anomalous downstream and fits its onset', () => {
    const ranked = traceOrigin(abc, MODEL, TYPE, {
      scope: { level: 'GROUP', id: 'g1' },
      anomalous: [{ vmId: 'b', at: T0 + 30 * SECOND }, { vmId: 'c', at: T0 + 60 * SECOND }],
      healthy: ['x'],
    });
    assert.deepEqual(ranked.slice(0, 2).map((c) => c.vmId).sort(), ['a', 'b']);
    assert.equal(ranked.some((c) => c.vmId === 'x'), false, 'healthy VMs are never candidates');
    assert.equal(ranked.at(-1)?.vmId, 'c');
    const a = ranked.find((c) => c.vmId === 'a')!;
    assert.ok(a.onsetAt! <= T0 + 30 * SECOND);
  });

  it('is deterministic and independent of the order of the evidence', () => {
    const evidence = {
      scope: { level: 'GROUP' as const, id: 'g1' },
      anomalous: [{ vmId: 'a', at: T0 }, { vmId: 'b', at: T0 + 30 * SECOND }, { vmId: 'c', at: T0 + 60 * SECOND }],
    };
    const one = traceOrigin(abc, MODEL, TYPE, evidence);
    const two = traceOrigin(abc, MODEL, TYPE, { ...evidence, anomalous: [...evidence.anomalous].reverse() });
    assert.deepEqual(one, two);
  });

  it('ranks the hub first for a group-only anomaly (the cascade that best covers the group)', () => {
    // Latency travels hub → every leaf.
    const leaves = ['l1', 'l2', 'l3', 'l4', 'l5'];
    const star = snapshotOf([vm('hub'), ...leaves.map((l) => vm(l)), vm('other', 'g2')], leaves.map((l) => call(l, 'hub')));
    const ranked = traceOrigin(star, MODEL, TYPE, { scope: { level: 'GROUP', id: 'g1' }, anomalous: [], reportedAt: T0 });
    assert.equal(ranked[0]?.vmId, 'hub');
    assert.equal(ranked[0]?.onsetAt, T0);
    assert.equal(ranked.length, 6, 'only the group is considered');
    assert.deepEqual(originSources(ranked), [{ vmId: 'hub', onsetAt: T0 }]);
  });

  it('a COMPONENT report considers the component and the anomalous VMs only', () => {
    const ranked = traceOrigin(abc, MODEL, TYPE, { scope: { level: 'COMPONENT', id: 'c' }, anomalous: [{ vmId: 'b', at: T0 }] });
    assert.deepEqual(ranked.map((c) => c.vmId).sort(), ['b', 'c']);
    assert.equal(ranked[0]?.vmId, 'b');
  });

  it('bounds the work: at most maxCandidates evaluated, topK returned', () => {
    const { snapshot } = chain(Array.from({ length: 30 }, (_, i) => `v${String(i).padStart(2, '0')}`));
    const evidence = { scope: { level: 'SYSTEM' as const, id: 's1' }, anomalous: [{ vmId: 'v05', at: T0 }] };
    const ranked = traceOrigin(snapshot, MODEL, TYPE, evidence, { maxCandidates: 4, topK: 10 });
    assert.equal(ranked.length, 4);
    assert.ok(Math.abs(ranked.reduce((s, c) => s + c.posterior, 0) - 1) < 1e-9);
    assert.deepEqual(ranked.map((c) => c.vmId).sort(), ['v00', 'v01', 'v02', 'v05'], 'observed first, then scope by vmId');
    assert.equal(traceOrigin(snapshot, MODEL, TYPE, evidence, { topK: 3 }).length, 3);
  });

  it('rejects bad evidence with stable codes', () => {
    const has = (code: Parameters<typeof isForesightError>[1]) => (e: unknown) => isForesightError(e, code);
    const scope = { level: 'GROUP' as const, id: 'g1' };
    assert.throws(() => traceOrigin(abc, MODEL, TYPE, { scope, anomalous: [{ vmId: 'ghost', at: T0 }] }), has('UNKNOWN_VM'));
    assert.throws(() => traceOrigin(abc, MODEL, TYPE, { scope, anomalous: [], healthy: ['ghost'] }), has('UNKNOWN_VM'));
    assert.throws(() => traceOrigin(abc, MODEL, TYPE, { scope: { level: 'COMPONENT', id: 'ghost' }, anomalous: [] }), has('UNKNOWN_VM'));
    assert.throws(() => traceOrigin(abc, MODEL, TYPE, { scope, anomalous: [{ vmId: 'a', at: Number.NaN }] }), has('INVALID_ARGUMENT'));
    assert.throws(() => traceOrigin(abc, MODEL, TYPE, { scope, anomalous: [], reportedAt: Number.POSITIVE_INFINITY }), has('INVALID_ARGUMENT'));
    assert.throws(() => traceOrigin(abc, MODEL, TYPE, { scope, anomalous: [] }, { topK: 0 }), has('INVALID_ARGUMENT'));
    assert.throws(
      () => traceOrigin(abc, MODEL, TYPE, { scope: { level: 'GROUP', id: 'no-such-group' }, anomalous: [] }),
      (e: unknown) => isForesightError(e, 'EMPTY_SOURCES') && /no origin candidates: GROUP no-such-group/.test((e as Error).message),
    );
    assert.throws(
      () => traceOrigin(abc, MODEL, TYPE, { scope, anomalous: [], healthy: ['a', 'b', 'c', 'x'] }),
      has('EMPTY_SOURCES'),
    );
  });
});

describe('originSources', () => {
  const ranked = [
    { vmId: 'a', posterior: 0.7, logLikelihood: -1, logPrior: 0, onsetAt: T0, explained: 2 },
    { vmId: 'b', posterior: 0.2, logLikelihood: -2, logPrior: 0, onsetAt: T0 + 5, explained: 1 },
    { vmId: 'c', posterior: 0.1, logLikelihood: -3, logPrior: 0, explained: 0 },
  ];

  it('turns the best candidate(s) into sources, honouring k and minPosterior', () => {
    assert.deepEqual(originSources(ranked), [{ vmId: 'a', onsetAt: T0 }]);
    assert.deepEqual(originSources(ranked, { k: 2 }).map((s) => s.vmId), ['a', 'b']);
    assert.deepEqual(originSources(ranked, { k: 3, minPosterior: 0.15 }).map((s) => s.vmId), ['a', 'b']);
  });

  it('needs an onset for candidates the evidence gave none, and at least one candidate', () => {
    assert.throws(() => originSources(ranked, { k: 3 }), (e: unknown) => isForesightError(e, 'INVALID_ARGUMENT'));
    assert.deepEqual(originSources(ranked, { k: 3, onsetAt: T0 + 9 }).at(-1), { vmId: 'c', onsetAt: T0 + 9 });
    assert.throws(() => originSources([]), (e: unknown) => isForesightError(e, 'EMPTY_SOURCES'));
  });
});
