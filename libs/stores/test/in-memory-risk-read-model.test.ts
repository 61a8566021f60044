import { InMemoryStateStore } from '../src/state/in-memory-state-store.js';
import { describeRiskReadModelContract } from './risk-read-model-contract.js';

describeRiskReadModelContract('in memory', () => {
  const store = new InMemoryStateStore();
  return Promise.resolve({ writer: store, reader: store, dispose: () => store.close() });
});
