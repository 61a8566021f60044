import type { LiveFleet, LiveModelVersion } from './live-fleet.js';
import type { ServiceCounters } from './service-counters.js';

/** What each verdict of the publication gate means (libs/core publication.ts; docs/learning-model.md). */
export const VERDICT_MEANING: Readonly<Record<string, string>> = {
  PUBLISHED: 'published: not worse than the current model on the held-out incidents',
  OTHER_MODEL: 'refused: the candidate is another model id',
  NOT_NEWER: 'refused: the candidate is not a newer version',
  TOO_FEW_EXAMPLES: 'refused: too few held-out exposures to judge',
  TOO_FEW_POSITIVES: 'refused: too few held-out positives to judge',
  WORSE_LOG_LOSS: 'refused: held-out log-loss worse (paired bootstrap)',
  WORSE_BRIER: 'refused: held-out Brier score worse (paired bootstrap)',
  WORSE_AUPRC: 'refused: held-out AUPRC worse (paired bootstrap)',
  WORSE_RANKING: 'refused: held-out first assessments rank worse when re-ranked on the topology',
  WORSE_THAN_BASELINE: 'refused: ranks held-out first assessments worse than the starting model',
  WORSE_GRANT_UTILITY: 'refused: held-out grant utility worse',
};

/** A model version with why it was published. */
export interface ModelRow extends LiveModelVersion {
  readonly why: string;
}

/** One point of the learning curve: after n judged incidents, the rolling means. */
export interface CurvePoint {
  readonly n: number;
  readonly modelVersion: number;
  readonly precision: number;
  readonly recall: number;
  readonly brier: number;
}

/** The model view. */
export interface ModelView {
  readonly versions: readonly ModelRow[];
  readonly decisions: readonly { readonly verdict: string; readonly count: number; readonly meaning: string }[];
  readonly decisionsSource: string;
  readonly learningCurve: { readonly window: number; readonly points: readonly CurvePoint[] };
}

const CURVE_WINDOW = 20;
const MAX_CURVE_POINTS = 200;

const r3 = (v: number | undefined): string => (v === undefined ? '?' : v.toFixed(3));

function whyPublished(m: LiveModelVersion): string {
  if (m.origin === 'stores') return 'in use by the scorers (read from the store at start-up; its metrics were published before the console started)';
  const x = m.metrics;
  if (x.heldOutAuprcDifference === undefined && x.heldOutLogLoss === undefined) return 'published without held-out metrics (by an operator, or before the gate)';
  return `passed the gate on ${x.heldOutExamples ?? '?'} held-out exposures, ${x.heldOutPositives ?? '?'} positives: log-loss ${r3(x.heldOutLogLoss)} vs ${r3(x.currentLogLoss)}, ` +
    `Brier ${r3(x.heldOutBrier)} vs ${r3(x.currentBrier)}, AUPRC difference ${r3(x.heldOutAuprcDifference)} [${r3(x.heldOutAuprcDifferenceLower)}, ${r3(x.heldOutAuprcDifferenceUpper)}]`;
}

/**
 * GET /api/models: the versions seen (newest last) with their held-out metrics and why each was published; the
 * gate's decisions by verdict (refusals are counted on the learners' /metrics only: read when configured); the
 * learning curve from the evaluations topic (rolling means over judged incidents, at most 200 points).
 */
export async function modelView(fleet: LiveFleet, counters: ServiceCounters): Promise<ModelView> {
  let decisions: ModelView['decisions'] = [];
  let decisionsSource = 'Refused candidates are counted on the learners\' /metrics (foresight_model_decisions_total by verdict): set FORESIGHT_CONSOLE_METRICS_URLS to show them here.';
  if (counters.configured) {
    const reading = await counters.read('foresight_model_decisions_total', 'verdict');
    decisions = reading.counts.map((c) => ({ verdict: c.value, count: c.count, meaning: VERDICT_MEANING[c.value] ?? 'a verdict this console does not know' }));
    decisionsSource = `Training steps by the gate's verdict, summed over the configured /metrics endpoints since each learner started${reading.unreachable > 0 ? ` (${reading.unreachable} did not answer)` : ''}.`;
  }
  const evaluations = fleet.evaluations();
  const points: CurvePoint[] = [];
  const step = Math.max(1, Math.ceil(evaluations.length / MAX_CURVE_POINTS));
  for (let i = 0; i < evaluations.length; i++) {
    if ((i + 1) % step !== 0 && i !== evaluations.length - 1) continue;
    const window = evaluations.slice(Math.max(0, i + 1 - CURVE_WINDOW), i + 1);
    const mean = (f: (e: (typeof window)[number]) => number): number => window.reduce((s, e) => s + f(e), 0) / window.length;
    points.push({ n: i + 1, modelVersion: evaluations[i].modelVersion, precision: mean((e) => e.precision), recall: mean((e) => e.recall), brier: mean((e) => e.brier) });
  }
  return {
    versions: fleet.models().map((m) => ({ ...m, why: whyPublished(m) })),
    decisions, decisionsSource, learningCurve: { window: CURVE_WINDOW, points },
  };
}
