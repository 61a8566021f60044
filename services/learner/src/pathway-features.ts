import { buildTopologySnapshot, ExposureIndex, pathwayKey, type PathwayFeatures, type PathwayKind, type TopologySnapshot } from '@foresight/core';
import type { GraphStore, StoredTopology } from '@foresight/stores';
import type { PathwayFeaturesOf } from './prediction-labelling.js';

/** How stale (in event time) the cached topology may get before labelling reloads it. */
const REFRESH_MS = 60_000;

/** The topology labelling sees: pathway features and, with a graph store, the index exposing edges are found in. */
export interface LabellingTopology {
  readonly featuresOf: PathwayFeaturesOf;
  readonly exposures?: ExposureIndex;
}

/**
 * The observed features of pathways, for the infecting edges of labelled exposures: loaded from the graph store
 * and cached for a minute of event time. Without a graph store no edge has features, so exposures carry no
 * transmission evidence (evaluations are still published; carriers are not learned).
 */
export class PathwayFeatureCatalog {
  private features = new Map<string, PathwayFeatures>();
  private exposures: ExposureIndex | undefined;
  private topology: StoredTopology | undefined;
  private compiled: TopologySnapshot | undefined;
  private loadedAt: number | undefined;

  constructor(private readonly graphStore: GraphStore | undefined) {}

  /** The topology to label with at event time `now`, reloading it when the cache is stale. */
  async at(now: number): Promise<LabellingTopology> {
    if (this.graphStore !== undefined && (this.loadedAt === undefined || now - this.loadedAt >= REFRESH_MS || now < this.loadedAt)) {
      const topology = await this.graphStore.loadTopology();
      this.features = new Map(topology.pathways.map((p) => [pathwayKey(p.source, p.target, p.kind), p.features]));
      this.exposures = new ExposureIndex(topology);
      this.topology = topology;
      this.compiled = undefined;
      this.loadedAt = now;
    }
    const features = this.features;
    const featuresOf = (source: string, target: string, kind: PathwayKind): PathwayFeatures | undefined => features.get(pathwayKey(source, target, kind));
    return this.exposures === undefined ? { featuresOf } : { featuresOf, exposures: this.exposures };
  }

  /**
   * The topology compiled for scoring (stored features, no ageing), for the publication gate's re-ranking of held-out
   * first assessments; undefined without a graph store. Compiled once per load.
   */
  async snapshotAt(now: number): Promise<TopologySnapshot | undefined> {
    await this.at(now);
    if (this.topology === undefined) return undefined;
    this.compiled ??= buildTopologySnapshot(this.topology.vms, this.topology.pathways);
    return this.compiled;
  }
}
