import type { Vm } from '@foresight/core';

/** A score per VM (absent = 0). */
export type ScoreMap = Map<string, number>;

/**
 * The graph an operator would draw: every observed pathway and every co-location, undirected, as integer CSR for
 * the k-hop and personalized-PageRank baselines.
 */
export class UndirectedGraph {
  readonly ids: readonly string[];
  private readonly index: ReadonlyMap<string, number>;
  private readonly offsets: Int32Array;
  private readonly targets: Int32Array;
  /** Transition probability of each adjacency entry (weight / weighted degree of its tail). */
  private readonly transition: Float64Array;

  constructor(neighbours: ReadonlyMap<string, readonly { readonly vmId: string; readonly weight: number }[]>) {
    this.ids = [...neighbours.keys()];
    this.index = new Map(this.ids.map((id, i) => [id, i]));
    this.offsets = new Int32Array(this.ids.length + 1);
    this.ids.forEach((id, i) => (this.offsets[i + 1] = this.offsets[i] + (neighbours.get(id)?.length ?? 0)));
    this.targets = new Int32Array(this.offsets[this.ids.length]);
    this.transition = new Float64Array(this.targets.length);
    this.ids.forEach((id, i) => {
      const list = neighbours.get(id) ?? [];
      const total = list.reduce((s, n) => s + n.weight, 0);
      list.forEach((n, j) => {
        this.targets[this.offsets[i] + j] = this.index.get(n.vmId) ?? i;
        this.transition[this.offsets[i] + j] = total > 0 ? n.weight / total : 0;
      });
    });
  }

  /** k-hop BFS from the sources: score 1 − (d − 1)/k for a VM at d ≤ k hops (1 for neighbours); sources excluded. */
  bfs(sources: readonly string[], k: number): ScoreMap {
    const dist = new Map<number, number>();
    let frontier: number[] = [];
    for (const s of sources) {
      const i = this.index.get(s);
      if (i !== undefined && !dist.has(i)) {
        dist.set(i, 0);
        frontier.push(i);
      }
    }
    const out: ScoreMap = new Map();
    for (let d = 1; d <= k; d++) {
      const next: number[] = [];
      for (const u of frontier) {
        for (let e = this.offsets[u]; e < this.offsets[u + 1]; e++) {
          const v = this.targets[e];
          if (dist.has(v)) continue;
          dist.set(v, d);
          next.push(v);
          out.set(this.ids[v], 1 - (d - 1) / k);
        }
      }
      frontier = next;
    }
    return out;
  }

  /**
   * Personalized PageRank (MicroRCA style) restarting at the sources with probability `restart`, by power iteration
   * over the traffic-weighted undirected graph. Scores are divided by the largest non-source score, so the top VM is 1.
   */
  personalizedPageRank(sources: readonly string[], restart = 0.15, iterations = 30): ScoreMap {
    const n = this.ids.length;
    const seeds = sources.map((s) => this.index.get(s)).filter((i): i is number => i !== undefined);
    const out: ScoreMap = new Map();
    if (seeds.length === 0) return out;
    let rank = new Float64Array(n);
    let next = new Float64Array(n);
    for (const s of seeds) rank[s] += 1 / seeds.length;
    for (let it = 0; it < iterations; it++) {
      next.fill(0);
      for (const s of seeds) next[s] += restart / seeds.length;
      for (let u = 0; u < n; u++) {
        const r = rank[u];
        if (r === 0) continue;
        const start = this.offsets[u];
        const end = this.offsets[u + 1];
        if (start === end) {
          for (const s of seeds) next[s] += ((1 - restart) * r) / seeds.length;
          continue;
        }
        for (let e = start; e < end; e++) next[this.targets[e]] += (1 - restart) * r * this.transition[e];
      }
      [rank, next] = [next, rank];
    }
    const isSeed = new Set(seeds);
    let max = 0;
    for (let v = 0; v < n; v++) if (!isSeed.has(v) && rank[v] > max) max = rank[v];
    if (max <= 0) return out;
    for (let v = 0; v < n; v++) if (!isSeed.has(v) && rank[v] > 0) out.set(this.ids[v], rank[v] / max);
    return out;
  }
}

/** Pseudo-incidents of group-level history mixed into each VM's own (few) incidents. */
const GROUP_PRIOR_WEIGHT = 2;

/**
 * Historical co-anomaly frequency: from past incidents' observed detections, how often VM v turned anomalous after VM
 * s was the first detected (type-agnostic, as an operator's incident log is). A VM's own history is sparse, so it is
 * smoothed toward its service's (group's) rate: (C(s,v) + m·p_group) / (N(s) + m), m = 2.
 */
export class CooccurrenceHistory {
  private readonly vmSeen = new Map<string, number>();
  private readonly vmCo = new Map<string, Map<string, number>>();
  private readonly groupSeen = new Map<string, number>();
  private readonly groupCo = new Map<string, Map<string, number>>();
  private readonly groupSize = new Map<string, number>();
  private readonly groupMembers = new Map<string, string[]>();

  constructor(private readonly vmById: ReadonlyMap<string, Vm>) {
    for (const vm of vmById.values()) {
      this.groupSize.set(vm.groupId, (this.groupSize.get(vm.groupId) ?? 0) + 1);
      this.groupMembers.set(vm.groupId, [...(this.groupMembers.get(vm.groupId) ?? []), vm.id]);
    }
  }

  /** Records one past incident: the VMs first detected, and every VM detected anomalous later in it. */
  record(firstDetected: readonly string[], laterDetected: readonly string[]): void {
    const later = laterDetected.filter((v) => !firstDetected.includes(v));
    for (const s of firstDetected) {
      this.vmSeen.set(s, (this.vmSeen.get(s) ?? 0) + 1);
      const row = this.vmCo.get(s) ?? new Map<string, number>();
      for (const v of later) row.set(v, (row.get(v) ?? 0) + 1);
      this.vmCo.set(s, row);
      const g = this.vmById.get(s)?.groupId;
      if (g === undefined) continue;
      this.groupSeen.set(g, (this.groupSeen.get(g) ?? 0) + 1);
      const grow = this.groupCo.get(g) ?? new Map<string, number>();
      for (const v of later) {
        const gv = this.vmById.get(v)?.groupId;
        if (gv !== undefined) grow.set(gv, (grow.get(gv) ?? 0) + 1);
      }
      this.groupCo.set(g, grow);
    }
  }

  /** Score of every VM with any history given the sources (max over sources). */
  score(sources: readonly string[]): ScoreMap {
    const out: ScoreMap = new Map();
    const raise = (v: string, p: number): void => {
      if (!sources.includes(v) && p > (out.get(v) ?? 0)) out.set(v, p);
    };
    for (const s of sources) {
      const n = this.vmSeen.get(s) ?? 0;
      const row = this.vmCo.get(s);
      const g = this.vmById.get(s)?.groupId;
      const gn = g === undefined ? 0 : (this.groupSeen.get(g) ?? 0);
      const grow = g === undefined ? undefined : this.groupCo.get(g);
      const groupRate = (v: string): number => {
        const gv = this.vmById.get(v)?.groupId;
        if (gv === undefined || grow === undefined || gn === 0) return 0;
        return (grow.get(gv) ?? 0) / (gn * (this.groupSize.get(gv) ?? 1));
      };
      const candidates = new Set<string>(row?.keys() ?? []);
      if (grow !== undefined) for (const gv of grow.keys()) for (const v of this.groupMembers.get(gv) ?? []) candidates.add(v);
      for (const v of candidates) raise(v, ((row?.get(v) ?? 0) + GROUP_PRIOR_WEIGHT * groupRate(v)) / (n + GROUP_PRIOR_WEIGHT));
    }
    return out;
  }
}
