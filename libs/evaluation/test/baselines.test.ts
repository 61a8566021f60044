import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Vm } from '@foresight/core';
import { CooccurrenceHistory, UndirectedGraph } from '../src/index.js';

/** An undirected graph from edges with weights (both directions listed, as observeTopology builds it). */
function graphOf(edges: readonly (readonly [string, string, number])[], isolated: readonly string[] = []): UndirectedGraph {
  const neighbours = new Map<string, { vmId: string; weight: number }[]>();
  for (const id of isolated) neighbours.set(id, []);
  for (const [a, b, weight] of edges) {
    neighbours.set(a, [...(neighbours.get(a) ?? []), { vmId: b, weight }]);
    neighbours.set(b, [...(neighbours.get(b) ?? []), { vmId: a, weight }]);
  }
  return new UndirectedGraph(neighbours);
}

// A path s – a – b – c – d, and a leaf e on a.
const path = graphOf([['s', 'a', 1], ['a', 'b', 1], ['b', 'c', 1], ['c', 'd', 1], ['a', 'e', 1]], ['far']);

test('k-hop BFS scores 1 − (d − 1)/k within k hops of the sources, excluding them', () => {
  assert.deepEqual(Object.fromEntries(path.bfs(['s'], 1)), { a: 1 });
  assert.deepEqual(Object.fromEntries(path.bfs(['s'], 2)), { a: 1, b: 0.5, e: 0.5 });
  const three = path.bfs(['s'], 3);
  assert.ok(Math.abs(three.get('c')! - 1 / 3) < 1e-12);
  assert.equal(three.has('d'), false);
  // Two sources: the nearer one decides; sources are never scored.
  assert.deepEqual(Object.fromEntries(path.bfs(['s', 'c'], 1)), { a: 1, b: 1, d: 1 });
  assert.deepEqual(Object.fromEntries(path.bfs(['unknown'], 2)), {});
});

test('personalized PageRank matches the closed form on two nodes and follows traffic weights', () => {
  // s – a: the walk restarts at s with r, else crosses. Stationary: π(s) = r + (1 − r)π(a), π(a) = (1 − r)π(s).
  const pair = graphOf([['s', 'a', 1]]);
  assert.deepEqual(Object.fromEntries(pair.personalizedPageRank(['s'], 0.15, 60)), { a: 1 });
  // A star from s: a heavy edge to h, a light one to l. Scores normalised to the top non-source VM.
  const star = graphOf([['s', 'h', 9], ['s', 'l', 1]]);
  const scores = star.personalizedPageRank(['s'], 0.15, 60);
  assert.equal(scores.get('h'), 1);
  assert.ok(Math.abs(scores.get('l')! - 1 / 9) < 1e-9, `light ${scores.get('l')}`);
  // Nearer VMs rank above farther ones on a path; an unreachable VM scores nothing.
  const walk = path.personalizedPageRank(['s'], 0.15, 60);
  assert.ok(walk.get('a')! > walk.get('b')! && walk.get('b')! > walk.get('c')! && walk.get('c')! > walk.get('d')!);
  assert.equal(walk.has('far'), false);
  assert.equal(walk.has('s'), false);
});

const vm = (id: string, groupId: string): Vm => ({
  id, hostId: `h-${id}`, groupId, systemId: 'sys', criticality: 0.5,
  capacity: { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 100 }, allocation: { cpuMillis: 500, memoryMiB: 512, networkMbps: 50 },
});

test('co-occurrence history counts what followed each first-detected VM, smoothed toward its group', () => {
  const vms = [vm('s1', 'api'), vm('s2', 'api'), vm('d1', 'db'), vm('d2', 'db'), vm('w1', 'worker')];
  const history = new CooccurrenceHistory(new Map(vms.map((v) => [v.id, v])));
  assert.deepEqual(Object.fromEntries(history.score(['s1'])), {}, 'no history, no score');
  history.record(['s1'], ['s1', 'd1']);
  history.record(['s1'], ['d1']);
  history.record(['s2'], ['d2']);
  const scores = history.score(['s1']);
  // d1 followed s1 in 2 of 2 incidents; the api group was first 3 times, the db group followed each time (2 db VMs):
  // group rate 3 / (3 · 2) = 0.5; smoothed (2 + 2 · 0.5) / (2 + 2) = 0.75.
  assert.ok(Math.abs(scores.get('d1')! - 0.75) < 1e-12, `d1 ${scores.get('d1')}`);
  // d2 never followed s1: its group's rate only, (0 + 2 · 0.5) / (2 + 2) = 0.25.
  assert.ok(Math.abs((scores.get('d2') ?? 0) - 0.25) < 1e-12, `d2 ${scores.get('d2')}`);
  assert.equal(scores.has('w1'), false, 'a group that never followed scores nothing');
  assert.equal(scores.has('s1'), false, 'sources are not scored');
});
