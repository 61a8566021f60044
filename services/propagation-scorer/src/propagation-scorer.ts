import { DEFAULT_PROBABILITY_FLOOR, type ModelParameters } from '@foresight/core';
import { RuntimeError, type Logger, type MessageBus } from '@foresight/messaging';
import type { ServiceShell } from '@foresight/service-kit';
import type { GraphStore, HasDocuments, HasIdempotency, HotScores } from '@foresight/stores';
import { ActiveModel } from './active-model.js';
import { anomaliesConsumer } from './handlers/anomalies.js';
import { modelConsumer } from './handlers/model.js';
import { topologyChangesConsumer } from './handlers/topology-changes.js';
import { IncidentBook } from './incident-book.js';
import { IncidentTracker, type IncidentTrackerOptions, type PropagationScorerMetrics } from './incident-tracker.js';
import { ScorerStateEpoch } from './scorer-state-epoch.js';
import { TopologyView, type TopologyViewOptions } from './topology-view.js';

/** The scorer's domain settings (durations in event-time ms). */
export type PropagationScorerOptions = IncidentTrackerOptions & TopologyViewOptions;

/** Defaults: close after 30 min without evidence, scores live 1 h, 1,000 at-risk VMs, mpp at floor 0.01, recompile at most every 5 s. */
export const DEFAULT_PROPAGATION_SCORER_OPTIONS: PropagationScorerOptions = {
  incidentTimeoutMs: 30 * 60_000,
  scoreTtlMs: 60 * 60_000,
  maxAtRisk: 1_000,
  estimator: 'mpp',
  probabilityFloor: DEFAULT_PROBABILITY_FLOOR,
  claimTtlMs: 60_000,
  originCount: 1,
  minOriginPosterior: 0,
  minRecompileIntervalMs: 5_000,
  maxParkedPathways: 100_000,
};

/** What the propagation scorer is built from. */
export interface PropagationScorerDeps {
  readonly bus: MessageBus;
  /** Hot scores, incident and model documents, tick claims (one RedisStateStore or InMemoryStateStore in practice). */
  readonly stateStore: HotScores & HasDocuments & HasIdempotency;
  readonly graphStore: GraphStore;
  readonly logger: Logger;
  readonly options?: Partial<PropagationScorerOptions>;
  /** Group of the anomalies consumer, shared by all instances (default: the bus's). */
  readonly groupId?: string;
  /** Group of this instance's own consumers (topology-changes, model): every instance needs every message. */
  readonly instanceGroupId?: string;
  /** The model before any is published or stored (default: defaultModel()). */
  readonly initialModel?: ModelParameters;
  readonly metrics?: PropagationScorerMetrics;
}

/** The propagation scorer, as every service looks (docs/services.md). */
export interface PropagationScorer extends ServiceShell {
  /** Loads the stored topology and model; call before the consumers start. */
  start(): Promise<void>;
  /** Closes timed-out incidents and re-scores outdated ones at event time `now`. */
  tick(now: number): Promise<void>;
  /** The version of the model scoring uses now. */
  modelVersion(): number;
}

const noMetrics: PropagationScorerMetrics = { incidents: () => undefined, anomalyIgnored: () => undefined, published: () => undefined };

/** Throws CONFIG_INVALID naming the first bad option. */
export function resolvePropagationScorerOptions(options: Partial<PropagationScorerOptions> = {}): PropagationScorerOptions {
  const resolved = { ...DEFAULT_PROPAGATION_SCORER_OPTIONS, ...options };
  const positive = ['incidentTimeoutMs', 'scoreTtlMs', 'maxAtRisk', 'claimTtlMs', 'originCount', 'maxParkedPathways'] as const;
  for (const name of positive) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) throw new RuntimeError('CONFIG_INVALID', `propagation scorer option ${name} must be a positive integer, got ${resolved[name]}`);
  }
  if (!(resolved.minRecompileIntervalMs >= 0)) throw new RuntimeError('CONFIG_INVALID', `minRecompileIntervalMs must be ≥ 0, got ${resolved.minRecompileIntervalMs}`);
  if (!(resolved.probabilityFloor >= 0 && resolved.probabilityFloor < 1)) throw new RuntimeError('CONFIG_INVALID', `probabilityFloor must be in [0, 1), got ${resolved.probabilityFloor}`);
  if (!(resolved.minOriginPosterior >= 0 && resolved.minOriginPosterior <= 1)) throw new RuntimeError('CONFIG_INVALID', `minOriginPosterior must be in [0, 1], got ${resolved.minOriginPosterior}`);
  if (!['mpp', 'multipath', 'montecarlo'].includes(resolved.estimator)) throw new RuntimeError('CONFIG_INVALID', `unknown estimator ${resolved.estimator}`);
  return resolved;
}

/**
 * Builds the propagation scorer: follows the topology (stored graph, then topology-changes) and the model, groups
 * anomalies into incidents, traces origins of group- and system-level reports, and publishes versioned risk
 * assessments with hot scores in the state store. Incident state lives in stateStore.documents, per system.
 */
export function createPropagationScorer(deps: PropagationScorerDeps): PropagationScorer {
  const options = resolvePropagationScorerOptions(deps.options);
  const view = new TopologyView(options);
  const model = new ActiveModel(deps.stateStore.documents, deps.logger, deps.initialModel);
  const metrics = deps.metrics ?? noMetrics;
  // The open incidents live only in the state store: a loss of its data is found by the epoch marker and what this
  // instance remembers is put back (docs/stores.md, "How the scorer detects and recovers a loss").
  const epoch: ScorerStateEpoch = new ScorerStateEpoch(deps.stateStore.documents, async (cause, now, publish): Promise<number> => {
    if (cause === 'lost') await model.persist();
    return tracker.restore(cause, now, publish);
  }, deps.logger, (cause, restored) => metrics.stateLost?.(cause, restored));
  const book = new IncidentBook(deps.stateStore.documents, async (systemId) => {
    if (await epoch.missing()) throw new RuntimeError('HANDLER_RETRIABLE', `the state store lost the open incidents of ${systemId} (no scorer epoch marker): retried after the restore`);
  });
  const ownership = deps.bus.keyOwnership('anomalies');
  const tracker: IncidentTracker = new IncidentTracker(view, model, book, deps.stateStore, options, deps.logger, metrics, epoch, (systemId) => ownership.owns(systemId));
  const instanceGroupId = deps.instanceGroupId ?? deps.groupId;
  let state: 'new' | 'started' | 'stopped' = 'new';
  let ticking: Promise<void> = Promise.resolve();
  return {
    consumers: [anomaliesConsumer(tracker, deps.groupId), topologyChangesConsumer(view, instanceGroupId), modelConsumer(model, instanceGroupId)],
    async start() {
      await deps.graphStore.init();
      const stored = await deps.graphStore.loadTopology();
      view.load(stored);
      await model.load();
      deps.logger.info({ vms: stored.vms.length, pathways: stored.pathways.length, modelVersion: model.current.version }, 'scorer state loaded');
      state = 'started';
    },
    tick(now) {
      // NOTE: ticks never overlap: a slow tick delays the next instead of racing it over the same documents.
      const run = ticking.then(() => tracker.tick(now, deps.bus.publish.bind(deps.bus)));
      ticking = run.catch(() => undefined);
      return run;
    },
    async stop() {
      state = 'stopped';
      await ticking;
    },
    ready: () => state === 'started',
    modelVersion: () => model.current.version,
  };
}
