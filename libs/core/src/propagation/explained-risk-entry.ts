import type { PathTree } from './path-tree.js';
import type { HopContribution, RiskEntry } from './propagation-score.js';

/**
 * A risk entry whose explanation (path and per-hop contributions) is read from its scoring's most-probable-path tree
 * on first access. Scoring a whole fleet builds no path arrays; reading an entry's path costs O(path length) once.
 *
 * NOTE: `path` and `contributions` are accessors, so spreading an entry (`{ ...entry }`) drops them: copy them by
 * name, or use `toJSON()` (which JSON.stringify calls) for a plain object.
 */
export class ExplainedRiskEntry implements RiskEntry {
  readonly #tree: PathTree;
  readonly #rank: number;

  constructor(
    readonly vmId: string,
    readonly probability: number,
    readonly etaAt: number,
    tree: PathTree,
    rank: number,
  ) {
    this.#tree = tree;
    this.#rank = rank;
  }

  get path(): readonly string[] {
    return this.#tree.pathAt(this.#rank);
  }

  get contributions(): readonly HopContribution[] {
    return this.#tree.contributionsAt(this.#rank);
  }

  toJSON(): RiskEntry {
    return { vmId: this.vmId, probability: this.probability, etaAt: this.etaAt, path: this.path, contributions: this.contributions };
  }
}
