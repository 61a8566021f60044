import { InMemoryGraphStore } from '../src/graph/in-memory-graph-store.js';
import { describeGraphStoreContract } from './graph-store-contract.js';

describeGraphStoreContract('in memory', () => {
  const store = new InMemoryGraphStore();
  return Promise.resolve({ store, dispose: () => store.close() });
});
