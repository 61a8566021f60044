import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LazyMinHeap } from '../../src/propagation/lazy-min-heap.js';

test('LazyMinHeap pops keys in order through growth and clear, duplicates of a node included', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.record({ push: fc.nat(50), key: fc.double({ min: 0, max: 100, noNaN: true }) }), fc.constant({ pop: true }), fc.constant({ clear: true })), { maxLength: 300 }), (ops) => {
      const heap = new LazyMinHeap(1); // starts at 16 entries: most runs grow it
      let reference: { node: number; key: number }[] = [];
      for (const op of ops) {
        if ('push' in op) {
          heap.push(op.push, op.key);
          reference.push({ node: op.push, key: op.key });
        } else if ('clear' in op) {
          heap.clear();
          reference = [];
        } else {
          if (reference.length === 0) {
            assert.equal(heap.pop(), -1);
            continue;
          }
          const min = Math.min(...reference.map((e) => e.key));
          assert.equal(heap.peekKey(), min);
          const node = heap.pop();
          const at = reference.findIndex((e) => e.key === min && e.node === node);
          assert.ok(at >= 0, `popped node ${node} has the minimum key ${min}`);
          reference.splice(at, 1);
        }
        assert.equal(heap.size, reference.length);
      }
    }),
    { numRuns: 300, seed: 21 },
  );
});
