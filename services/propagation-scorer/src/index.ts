export {
  createPropagationScorer, resolvePropagationScorerOptions, DEFAULT_PROPAGATION_SCORER_OPTIONS,
  type PropagationScorer, type PropagationScorerDeps, type PropagationScorerOptions,
} from './propagation-scorer.js';
export type { PropagationScorerMetrics } from './incident-tracker.js';
export { INCIDENTS_DOCUMENT_KIND } from './incident-book.js';
export { MODEL_DOCUMENT } from './active-model.js';
export { defaultInstanceId, readPropagationScorerConfig, type PropagationScorerConfig } from './config.js';
export { propagationScorerService, runPropagationScorer } from './main.js';
