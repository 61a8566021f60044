import { performance } from 'node:perf_hooks';
import { defaultModel } from '../src/model/default-model.js';
import { searchMostProbablePaths } from '../src/propagation/most-probable-path.js';
import { scratchFor } from '../src/propagation/propagation-scratch.js';
import { scorePropagation } from '../src/propagation/score-propagation.js';
import { transmissionWeights } from '../src/propagation/transmission-weights.js';
import { buildTopologySnapshot } from '../src/topology/build-topology-snapshot.js';
import { generateFleet } from './synthetic-fleet.js';
const fleet = generateFleet({ vms: 100_000, edges: 1_000_000, seed: 1 });
const snapshot = buildTopologySnapshot(fleet.vms, fleet.pathways);
const model = defaultModel();
const weights = transmissionWeights(snapshot, model, 'generic');
for (let i = 0; i < 6; i++) {
  const vmId = `vm-${i * 7919}`;
  let t = performance.now();
  searchMostProbablePaths(snapshot, weights, scratchFor(snapshot), [{ node: snapshot.indexOf(vmId), onsetAt: 0 }], Infinity);
  const search = performance.now() - t;
  t = performance.now();
  scorePropagation(snapshot, model, 'generic', [{ vmId, onsetAt: 0 }], { floor: 0 });
  console.log(`search ${search.toFixed(1)} score ${(performance.now() - t).toFixed(1)}`);
}
