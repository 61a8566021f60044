import type { ModelParameters } from '../model/model-parameters.js';
import { carrierFor, carrierLogit, sigmoid } from '../model/transmission.js';
import { learnCarriers } from './carrier-learning.js';
import { learnGrantSizes } from './grant-size.js';
import { learnGrantThreshold } from './grant-threshold.js';
import { resolveLearningOptions, type LearningOptions } from './learning-options.js';
import { assertIncidentOutcome, type IncidentOutcome } from './outcome.js';
import { collectTransmissionEvidence } from './transmission-evidence.js';
import { learnVulnerability } from './vulnerability-learning.js';

/**
 * Learns a new model version from one batch of judged outcomes (rules in docs/learning-model.md): carrier weights
 * and delays, per-VM vulnerability, grant threshold and per-type grant sizes. Pure: the input is never mutated.
 * An empty batch returns `model` itself (same version): there is nothing to publish. Any malformed outcome throws
 * INVALID_ARGUMENT before anything is learned.
 */
export function learnFromOutcomes(model: ModelParameters, outcomes: readonly IncidentOutcome[], options: LearningOptions): ModelParameters {
  const resolved = resolveLearningOptions(options);
  for (const outcome of outcomes) assertIncidentOutcome(outcome);
  for (const outcome of resolved.recentOutcomes ?? []) assertIncidentOutcome(outcome);
  if (outcomes.length === 0) return model;

  // Order matters: weights are fitted with the vulnerability offsets the predictions were made with.
  const evidence = collectTransmissionEvidence(model, outcomes, resolved.maxTypes);
  const withCarriers = learnCarriers(model, evidence, resolved);
  const types = learnGrantSizes(withCarriers, outcomes, resolved);
  // Vulnerability is the VM's residual against the freshly fitted carriers (the second half of one alternating step).
  const vulnerability = learnVulnerability(model.vulnerability, model.vulnerabilityPrior, evidence.vulnerability, {
    forgetting: resolved.vulnerabilityForgetting,
    evidence: resolved.vulnerabilityEvidence,
    priorStrength: resolved.vulnerabilityPriorStrength,
    // The chance the VM's exposing edges infect it without its own offset: noisy-or of the fitted carriers.
    expected: (o) => {
      if (o.edges.length === 0) return undefined;
      let none = 1;
      for (const { carrierKey, x } of o.edges) {
        const ev = evidence.carriers.get(carrierKey);
        const params = ev === undefined ? undefined : withCarriers[ev.anomalyType];
        const carrier = ev === undefined || params === undefined ? undefined : carrierFor(params, ev.kind, ev.direction);
        if (carrier !== undefined) none *= 1 - sigmoid(carrierLogit(carrier, x));
      }
      return 1 - none;
    },
  });
  const thresholds = learnGrantThreshold(model, resolved.recentOutcomes ?? outcomes, resolved);

  return {
    ...model,
    version: model.version + 1,
    parentVersion: model.version,
    createdAt: resolved.at,
    types,
    vulnerability,
    grantThreshold: thresholds.grantThreshold,
    releaseThreshold: thresholds.releaseThreshold,
  };
}
