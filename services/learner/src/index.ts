export { createLearner, type Learner, type LearnerDeps } from './learner.js';
export { DEFAULT_LEARNER_SETTINGS, type LearnerSettings } from './learner-settings.js';
export { NO_LEARNER_METRICS, type LearnerMetrics } from './learner-metrics.js';
export { labelIncident, type LabelledIncident, type LabellingEvidence, type PathwayFeaturesOf } from './prediction-labelling.js';
export { readLearnerConfig, type LearnerConfig } from './config.js';
export { learnerService, runLearner } from './main.js';
