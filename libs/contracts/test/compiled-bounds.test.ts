import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertMessageBounds, topicSchemas, type TopicName } from '../src/index.js';
import { compileMessageBounds } from '../src/compiled-bounds.js';
import { sampleMessages } from './sample-messages.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a number or string leaf of a message. */
function leaves(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'number' || typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [];
}

function withLeaf(value: Json, path: readonly (string | number)[], leaf: Json): Json {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? withLeaf(v, rest, leaf) : v));
  const obj = value as { [key: string]: Json };
  return { ...obj, [head as string]: withLeaf(obj[head as string], rest, leaf) };
}

function outcome(check: () => void): string {
  try {
    check();
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('compiled message bounds', () => {
  it('agree with assertMessageBounds on every topic, for random out-of-bounds and in-bounds leaves', () => {
    const topics = Object.keys(sampleMessages) as TopicName[];
    const leafValue = fc.oneof(
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, -0.5, 0, 0.5, 1, 1.5, 1e9),
      fc.double(), fc.string({ maxLength: 3 }), fc.constant('x'.repeat(1500)),
    );
    fc.assert(fc.property(fc.constantFrom(...topics), fc.nat(), leafValue, (topic, pick, leaf) => {
      const message = JSON.parse(JSON.stringify(sampleMessages[topic])) as Json;
      const paths = leaves(message);
      const path = paths[pick % paths.length];
      const original = path.reduce<Json>((v, k) => (v as { [key: string]: Json })[k], message);
      // Keep the leaf's JSON type so the message stays Avro-shaped; only bounds differ.
      if (typeof leaf !== typeof original) return;
      const mutated = withLeaf(message, path, leaf);
      const compiled = compileMessageBounds(topicSchemas[topic].schema);
      assert.equal(outcome(() => compiled(mutated)), outcome(() => assertMessageBounds(mutated)));
    }), { numRuns: 2000, seed: 7 });
  });
});
