import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PartitionProgress } from '../src/index.js';

describe('PartitionProgress (stall detection)', () => {
  const setup = () => {
    let now = 1_000_000;
    const progress = new PartitionProgress('g', () => now);
    return { progress, advance: (ms: number) => { now += ms; } };
  };

  it('calls a partition stalled once records have waited with no progress for the threshold, not before', () => {
    const { progress, advance } = setup();
    progress.observe({ topic: 't', partition: 0, behind: 2, position: 10 });
    advance(59_999);
    assert.deepEqual(progress.stalled(60_000), []);
    advance(1);
    assert.deepEqual(progress.stalled(60_000), [{ groupId: 'g', topic: 't', partition: 0, behind: 2, position: 10, stalledForMs: 60_000 }]);
    // The same record redelivered again and again: reports at the same position do not count as progress.
    progress.observe({ topic: 't', partition: 0, behind: 2, position: 10 });
    advance(5_000);
    assert.equal(progress.stalled(60_000)[0].stalledForMs, 65_000);
  });

  it('restarts the clock when the position moves, and is not stalled with nothing waiting', () => {
    const { progress, advance } = setup();
    progress.observe({ topic: 't', partition: 1, behind: 5, position: 0 });
    advance(50_000);
    progress.observe({ topic: 't', partition: 1, behind: 4, position: 1 });
    advance(50_000);
    assert.deepEqual(progress.stalled(60_000), [], 'it moved 50 s ago');
    progress.observe({ topic: 't', partition: 1, behind: 0, position: 5 });
    advance(600_000);
    assert.deepEqual(progress.stalled(60_000), [], 'caught up: idle is not stalled');
  });

  it('starts the clock when records begin to wait after an idle time, not at the last progress', () => {
    const { progress, advance } = setup();
    progress.observe({ topic: 't', partition: 0, behind: 0, position: 7 });
    advance(3_600_000);
    progress.observe({ topic: 't', partition: 0, behind: 1, position: 7 });
    assert.deepEqual(progress.stalled(60_000), [], 'a record just arrived');
    advance(60_000);
    assert.equal(progress.stalled(60_000).length, 1);
  });

  it('forgets partitions no longer assigned', () => {
    const { progress, advance } = setup();
    progress.observe({ topic: 't', partition: 0, behind: 3, position: 0 });
    progress.observe({ topic: 't', partition: 2, behind: 3, position: 0 });
    advance(120_000);
    progress.retain(new Map([['t', new Set([2])]]));
    assert.deepEqual(progress.stalled(60_000).map((s) => s.partition), [2]);
    progress.retain(new Map());
    assert.deepEqual(progress.stalled(60_000), []);
  });
});
