import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StalledPartition } from '@foresight/messaging';
import { Readiness, dependencyChecks, type ReadinessBus } from '../src/index.js';

function fakeBus(overrides: Partial<ReadinessBus> = {}): ReadinessBus {
  return {
    health: () => ({ ready: true, details: {} }),
    pingBroker: () => Promise.resolve(),
    pingRegistry: () => Promise.resolve(),
    stalledPartitions: () => [],
    ...overrides,
  };
}

function readinessOf(checks: ReturnType<typeof dependencyChecks>, timeoutMs = 2_000): Readiness {
  const readiness = new Readiness(timeoutMs);
  for (const [name, check] of Object.entries(checks)) readiness.add(name, check);
  return readiness;
}

describe('dependency readiness checks', () => {
  it('report each dependency by name, ready when all answer', async () => {
    const report = await readinessOf(dependencyChecks({ bus: fakeBus(), redis: () => Promise.resolve('0'), neo4j: () => Promise.resolve([]) }, 60_000)).report();
    assert.deepEqual(Object.keys(report.checks).sort(), ['consumers', 'kafka', 'neo4j', 'redis', 'registry']);
    assert.equal(report.ready, true);
    assert.deepEqual(report.failed, []);
  });

  it('name a stalled partition under consumers, with its lag and how long it has not moved', async () => {
    let asked: number | undefined;
    const stalled: StalledPartition = { groupId: 'g', topic: 't.hosts', partition: 2, behind: 2, position: 41, stalledForMs: 75_000 };
    const bus = fakeBus({ stalledPartitions: (after) => {
      asked = after;
      return [stalled];
    } });
    const report = await readinessOf(dependencyChecks({ bus }, 30_000)).report();
    assert.equal(asked, 30_000, 'the threshold is passed on');
    assert.equal(report.ready, false);
    assert.deepEqual(report.failed, ['consumers']);
    assert.match(report.checks.consumers.detail ?? '', /t\.hosts\/2 \(group g\): 2 record\(s\) waiting at offset 41, no progress for 75 s/);
  });

  it('fail a dependency that does not answer within the timeout, and send it one probe at a time', async () => {
    let probes = 0;
    let thawed = false;
    let answer!: () => void;
    const frozen = () => {
      probes++;
      return thawed ? Promise.resolve() : new Promise<void>((resolve) => {
        answer = resolve;
      });
    };
    const readiness = readinessOf(dependencyChecks({ redis: frozen }, 60_000), 50);
    const first = await readiness.report();
    assert.equal(first.ready, false);
    assert.deepEqual(first.failed, ['redis']);
    assert.match(first.checks.redis.detail ?? '', /no answer within 50 ms/);
    await readiness.report();
    assert.equal(probes, 1, 'the second check waits for the unanswered probe instead of sending another');
    thawed = true;
    answer();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await readiness.report()).ready, true);
    assert.equal(probes, 2);
  });

  it('fail kafka with the bus state when the bus is not ready, and a broker that refuses', async () => {
    const down = await readinessOf(dependencyChecks({ bus: fakeBus({ health: () => ({ ready: false, details: { state: 'closing' } }) }) }, 60_000)).report();
    assert.deepEqual(down.failed, ['kafka']);
    assert.match(down.checks.kafka.detail ?? '', /bus not ready: .*closing/);
    const refused = await readinessOf(dependencyChecks({ bus: fakeBus({ pingRegistry: () => Promise.reject(new Error('registry 503')) }) }, 60_000)).report();
    assert.deepEqual(refused.failed, ['registry']);
    assert.equal(refused.checks.registry.detail, 'registry 503');
  });
});
