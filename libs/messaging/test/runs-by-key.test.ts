import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runsByKey } from '../src/kafka-consumer-group.js';

describe('runsByKey', () => {
  const keys = ['a', 'b', 'a', 'a', 'c', 'b', 'a'];
  const keyOf = (i: number): string => keys[i];

  it('groups each key\'s records in order, each run listed at its first record', () => {
    assert.deepEqual(runsByKey(keys.length, keyOf, 64), [[0, 2, 3, 6], [1, 5], [4]]);
  });

  it('cuts runs at the longest length, and gives one unit per record at length 1', () => {
    assert.deepEqual(runsByKey(keys.length, keyOf, 2), [[0, 2], [1, 5], [3, 6], [4]]);
    assert.deepEqual(runsByKey(keys.length, keyOf, 1), keys.map((_, i) => [i]));
  });

  it('covers every record exactly once', () => {
    const many = Array.from({ length: 500 }, (_, i) => `k${(i * 7) % 13}`);
    for (const max of [1, 3, 64]) {
      const units = runsByKey(many.length, (i) => many[i], max);
      assert.deepEqual(units.flat().sort((x, y) => x - y), many.map((_, i) => i));
      for (const unit of units) {
        assert.ok(unit.length <= max && unit.every((i) => many[i] === many[unit[0]]) && unit.every((i, k) => k === 0 || i > unit[k - 1]));
      }
    }
  });
});
