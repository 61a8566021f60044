import { InMemoryStateStore } from '../src/state/in-memory-state-store.js';
import { describeStateStoreContract } from './state-store-contract.js';

describeStateStoreContract('in memory', () => {
  const store = new InMemoryStateStore();
  return Promise.resolve({ store, peer: () => Promise.resolve(store), dispose: () => store.close() });
}, { propertyRuns: 200 });
