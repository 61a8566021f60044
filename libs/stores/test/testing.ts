// Contract suites for the integration tests at the repository root (exported as @foresight/stores/testing).
export { describeGraphStoreContract, type GraphStoreHarness } from './graph-store-contract.js';
export { describeStateStoreContract, type StateStoreHarness, type StateStoreContractOptions } from './state-store-contract.js';
export { describeRiskReadModelContract, type RiskReadModelHarness } from './risk-read-model-contract.js';
