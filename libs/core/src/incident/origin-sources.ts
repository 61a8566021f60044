import { ForesightError } from '../errors.js';
import type { PropagationSource } from '../propagation/propagation-score.js';
import type { OriginCandidate } from './origin-evidence.js';

/** How many traced origins become sources, and the onset of those whose time the evidence did not give. */
export interface OriginSourceOptions {
  /** At most this many candidates (default 1). */
  readonly k?: number;
  /** Beyond the first, keep only candidates with at least this posterior (default 0). */
  readonly minPosterior?: number;
  /** Onset for candidates without one (scope-only evidence without reportedAt). */
  readonly onsetAt?: number;
}

/**
 * The best traced origin(s) as propagation sources, in rank order. The first candidate is always kept.
 * NOTE: k > 1 treats alternative hypotheses as simultaneous sources, which over-estimates spread; use it to hedge.
 * Throws EMPTY_SOURCES for no candidates and INVALID_ARGUMENT when a kept candidate has no onset and none is given.
 */
export function originSources(ranked: readonly OriginCandidate[], options: OriginSourceOptions = {}): PropagationSource[] {
  const k = options.k ?? 1;
  if (!Number.isInteger(k) || k < 1) throw new ForesightError('INVALID_ARGUMENT', `k must be a positive integer, got ${k}`);
  if (options.onsetAt !== undefined && !Number.isFinite(options.onsetAt)) {
    throw new ForesightError('INVALID_ARGUMENT', `onsetAt must be a finite event time, got ${options.onsetAt}`);
  }
  if (ranked.length === 0) throw new ForesightError('EMPTY_SOURCES', 'no origin candidates to turn into sources');
  const minPosterior = options.minPosterior ?? 0;
  const kept = ranked.slice(0, k).filter((c, i) => i === 0 || c.posterior >= minPosterior);
  return kept.map((c) => {
    const onsetAt = c.onsetAt ?? options.onsetAt;
    if (onsetAt === undefined) {
      throw new ForesightError('INVALID_ARGUMENT', `origin candidate ${c.vmId} has no onset: pass onsetAt (e.g. the report time)`);
    }
    return { vmId: c.vmId, onsetAt };
  });
}
