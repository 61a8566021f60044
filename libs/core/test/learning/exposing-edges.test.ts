import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExposureIndex, findExposingEdges } from '../../src/learning/exposing-edges.js';
import { defaultModel } from '../../src/model/default-model.js';
import { makePathway, makeVm } from '../propagation/random-topology.js';

// generic carries every pathway kind both ways, co-location included.
const vms = [makeVm('db', 'h1'), makeVm('api', 'h2'), makeVm('web', 'h3'), makeVm('idle', 'h4'), makeVm('report', 'h5'), makeVm('batch', 'h2')];
const pathways = [
  makePathway('api', 'db', 'API_CALL'), makePathway('web', 'api', 'API_CALL'), makePathway('idle', 'api', 'API_CALL'),
  makePathway('report', 'api', 'API_CALL', { callsPerSec: 7 }), makePathway('report', 'db', 'NETWORK', { bandwidthMbps: 40 }),
];
const index = new ExposureIndex({ vms, pathways });
const edges = (onsets: Record<string, number>) => findExposingEdges(index, defaultModel(), 'generic', new Map(Object.entries(onsets)));
const summary = (list: readonly { parentVmId: string; kind: string; direction: string }[] | undefined) =>
  (list ?? []).map((x) => `${x.parentVmId}:${x.kind}:${x.direction}`).sort();

test('every edge from a VM affected strictly before it, along the carriers, healthy neighbours included', () => {
  const exposing = edges({ db: 0, api: 10, report: 30, web: 10 });
  assert.deepEqual(summary(exposing.get('api')), ['db:API_CALL:reverse']);
  assert.deepEqual(summary(exposing.get('report')), ['api:API_CALL:reverse', 'db:NETWORK:reverse'], 'both earlier parents: joint credit');
  assert.deepEqual(summary(exposing.get('web')), [], 'same onset as its only parent: not exposed by it');
  assert.deepEqual(summary(exposing.get('idle')), ['api:API_CALL:reverse'], 'a healthy neighbour is an exposure (a negative)');
  assert.deepEqual(summary(exposing.get('batch')), ['api:CO_LOCATED:forward'], 'co-located with api on h2');
  assert.equal(exposing.get('db'), undefined, 'the first affected VM has no earlier parent');
  const viaNetwork = exposing.get('report')!.find((x) => x.kind === 'NETWORK')!;
  assert.equal(viaNetwork.features.bandwidthMbps, 40, 'the pathway features travel with the exposure');
});

test('a popular VM with thousands of callers exposes every one of them', () => {
  const callers = Array.from({ length: 20_000 }, (_, i) => makeVm(`c${i}`, `hc${i % 500}`));
  const big = new ExposureIndex({ vms: [makeVm('hub', 'hx'), ...callers], pathways: callers.map((c) => makePathway(c.id, 'hub', 'API_CALL')) });
  const exposing = findExposingEdges(big, defaultModel(), 'generic', new Map([['hub', 0]]));
  assert.equal(exposing.size, 20_000);
});
