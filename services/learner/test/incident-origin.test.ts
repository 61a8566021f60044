import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldAssessment } from '../src/incident-predictions.js';
import { HORIZON, MINUTE, anomaly, assessment, learnerWorld, starTopology } from './learner-world.js';

const T0 = 20_000_000;

describe('the incident origin the learner labels against', () => {
  it('keeps the first assessment\'s sources; a VM that joins later is an outcome, unless reported earlier than the origin', () => {
    const first = foldAssessment(undefined, assessment('inc', 'db', T0, [['api', 0.4], ['web', 0.2]]), 0);
    const joined = { ...assessment('inc', 'db', T0, [['web', 0.3]], { version: 2 }), sources: [{ vmId: 'db', onsetAt: T0 }, { vmId: 'api', onsetAt: T0 + MINUTE }, { vmId: 'cache', onsetAt: T0 + 2 * MINUTE }] };
    const second = foldAssessment(first, joined, 0);
    assert.deepEqual(second.sources, { db: T0 }, 'api (listed, then anomalous) and cache (anomalous later) are outcomes');
    const earlier = { ...assessment('inc', 'db', T0, [], { version: 3 }), sources: [{ vmId: 'db', onsetAt: T0 }, { vmId: 'lb', onsetAt: T0 - MINUTE }] };
    const third = foldAssessment(second, earlier, 0);
    assert.deepEqual(third.sources, { db: T0, lb: T0 - MINUTE }, 'an unlisted VM reported before the origin is a better origin');
    assert.equal(third.onsetAt, T0 - MINUTE);
  });

  it('labels a listed VM that the scorer later made a source as a true positive', async () => {
    const w = await learnerWorld({ minIncidentsPerStep: 100 });
    const { source, children: [c0, c1] } = await starTopology(w.graph, 'inc', 2);
    await w.send('risk', [assessment('inc', source, T0, [[c0, 0.6], [c1, 0.3]])]);
    await w.send('anomalies', [anomaly(source, T0), anomaly(c0, T0 + 2 * MINUTE)]);
    // The scorer's next version lists the anomalous child as a source.
    const v2 = assessment('inc', source, T0, [[c1, 0.35]], { version: 2, generatedAt: T0 + 3 * MINUTE });
    await w.send('risk', [{ ...v2, sources: [...v2.sources, { vmId: c0, onsetAt: T0 + 2 * MINUTE }] }]);
    await w.tick(T0 + HORIZON + MINUTE);
    const [evaluation] = w.evaluations;
    assert.equal(evaluation?.truePositives, 1, 'the child that became a source is a true positive');
    assert.equal(evaluation?.affected, 1);
    await w.close();
  });
});
