import { ForesightError } from '../errors.js';
import type { PathwayWindow } from './call-pathways.js';
import { DETECTOR_SIGNALS, type DetectedAnomaly, type DetectorSignal, type UtilisationPoint } from './detector-signals.js';
import type { EntityIdentity } from './entity-identity.js';
import { RobustBaseline, type BaselineSettings } from './robust-baseline.js';
import { AnomalyRollup, type RollupSettings } from './anomaly-rollup.js';

/** A floor per signal: the least rise that can be anomalous, in its unit and as a share of the median. */
export interface SignalFloor {
  readonly minDelta: number;
  readonly minRatio: number;
}

/** The built-in detector's settings (docs/ingestion.md, 'The built-in anomaly detector'). */
export interface DetectorSettings {
  /** Normal observations kept per series (median and MAD over them). */
  readonly baselineSize: number;
  /** Observations a series needs before it is judged. */
  readonly warmUp: number;
  /** Robust standard deviations above the median that are anomalous. */
  readonly k: number;
  readonly floors: Readonly<Record<DetectorSignal, SignalFloor>>;
  /** Consecutive anomalous observations that open a series. */
  readonly openAfter: number;
  /** Consecutive observations below half the threshold's excess that resolve it. */
  readonly resolveAfter: number;
  /** A series anomalous this many observations in a row is taken as a new normal: re-baselined, resolved. */
  readonly relearnAfter: number;
  /** The latency a pathway window is judged by: its client-observed median or 99th percentile. */
  readonly latency: 'p50' | 'p99';
  /** Pathway windows with fewer calls are not judged (p99 and error rate of a handful of calls are noise). */
  readonly minCalls: number;
  /** Series held at most (further ones are not watched, and counted). */
  readonly maxSeries: number;
  readonly rollup: RollupSettings;
}

export const DEFAULT_DETECTOR_SETTINGS: DetectorSettings = Object.freeze({
  baselineSize: 60,
  warmUp: 10,
  k: 5,
  floors: Object.freeze({
    latency: { minDelta: 5, minRatio: 0.5 },
    error_rate: { minDelta: 0.05, minRatio: 0 },
    cpu_saturation: { minDelta: 0.2, minRatio: 0 },
    memory_pressure: { minDelta: 0.1, minRatio: 0 },
    network_congestion: { minDelta: 0.2, minRatio: 0 },
  }),
  openAfter: 2,
  resolveAfter: 3,
  relearnAfter: 60,
  latency: 'p50',
  minCalls: 5,
  maxSeries: 100_000,
  rollup: { share: 0.5, minMembers: 2 },
});

/** What one batch of observations yields. */
export interface DetectorOutput {
  readonly anomalies: DetectedAnomaly[];
  /** Observations not judged: too few calls, out of order, beyond the series bound. */
  readonly skipped: Partial<Record<'DETECTOR_FEW_CALLS' | 'DETECTOR_OUT_OF_ORDER' | 'DETECTOR_SERIES_LIMIT', number>>;
}

interface Series {
  readonly baseline: RobustBaseline;
  readonly signal: DetectorSignal;
  readonly component: EntityIdentity;
  readonly name: string;
  lastMs: number;
  open: boolean;
  /** Anomalous in a row while closed; normal in a row while open. */
  streak: number;
  /** Observations in a row judged anomalous while open. */
  openFor: number;
  excess: number;
}

interface Observation {
  readonly key: string;
  readonly signal: DetectorSignal;
  readonly component: EntityIdentity;
  readonly name: string;
  readonly value: number;
  readonly atMs: number;
}

function severityOf(excess: number): number {
  return Math.min(1, Math.max(0, excess / (excess + 1)));
}

function checkSettings(s: DetectorSettings): void {
  const ints: (keyof DetectorSettings)[] = ['openAfter', 'resolveAfter', 'relearnAfter', 'minCalls', 'maxSeries'];
  for (const name of ints) {
    const v = s[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ForesightError('INVALID_PARAMETERS', `detector setting ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  for (const signal of DETECTOR_SIGNALS) if (s.floors[signal] === undefined) throw new ForesightError('INVALID_PARAMETERS', `detector floor of ${signal} missing`);
}

/**
 * The built-in streaming anomaly detector (pure; event time only). Series: latency (client-observed p50 by default, or p99) and error
 * rate per pathway into a service endpoint, judged against the callee, and utilisation per VM. Each series has a
 * robust baseline (median and MAD of its latest normal observations, after a warm-up); an observation above
 * median + max(k·1.4826·MAD, floors) is anomalous. Hysteresis: a series opens after `openAfter` anomalous
 * observations in a row and resolves after `resolveAfter` in a row below half that excess; anomalous observations
 * are not learned. A VM has an OPEN anomaly of a type while any of its series of that type is open (COMPONENT
 * level); AnomalyRollup raises GROUP and SYSTEM anomalies when a group or a system degrades together.
 */
export class AnomalyDetector {
  private readonly series = new Map<string, Series>();
  /** `vmId|signal` → the open series of the VM. */
  private readonly components = new Map<string, { identity: EntityIdentity; open: Set<Series> }>();
  private readonly rollup: AnomalyRollup;
  private skipped: DetectorOutput['skipped'] = {};

  constructor(private readonly settings: DetectorSettings = DEFAULT_DETECTOR_SETTINGS) {
    checkSettings(settings);
    this.rollup = new AnomalyRollup(settings.rollup);
    // NOTE: a bad baseline setting throws here, not at the first series.
    void new RobustBaseline(this.baselineSettings('latency'));
  }

  /** Series watched now. */
  get seriesCount(): number {
    return this.series.size;
  }

  /** Judges closed pathway windows and utilisation points, in event-time order; returns the transitions. */
  observe(windows: readonly PathwayWindow[], utilisation: readonly UtilisationPoint[] = []): DetectorOutput {
    const observations: Observation[] = [];
    for (const w of windows) {
      if (w.calls < this.settings.minCalls) {
        this.countDropped('DETECTOR_FEW_CALLS', 2);
        continue;
      }
      const pathway = `${w.source.vmId}->${w.target.vmId}`;
      this.rollup.know(w.source);
      observations.push({ key: `latency|${pathway}`, signal: 'latency', component: w.target, name: pathway, value: this.settings.latency === 'p50' ? w.latencyP50Ms : w.latencyP99Ms, atMs: w.windowEnd });
      observations.push({ key: `error_rate|${pathway}`, signal: 'error_rate', component: w.target, name: pathway, value: w.errorRate, atMs: w.windowEnd });
    }
    for (const p of utilisation) {
      observations.push({ key: `${p.signal}|${p.identity.vmId}`, signal: p.signal, component: p.identity, name: p.identity.vmId, value: p.value, atMs: p.timeMs });
    }
    observations.sort((a, b) => a.atMs - b.atMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const anomalies: DetectedAnomaly[] = [];
    for (const o of observations) this.judge(o, anomalies);
    const output = { anomalies, skipped: this.skipped };
    this.skipped = {};
    return output;
  }

  private baselineSettings(signal: DetectorSignal): BaselineSettings {
    const s = this.settings;
    return { size: s.baselineSize, warmUp: s.warmUp, k: s.k, ...s.floors[signal] };
  }

  private judge(o: Observation, out: DetectedAnomaly[]): void {
    let series = this.series.get(o.key);
    if (series === undefined) {
      if (this.series.size >= this.settings.maxSeries) {
        this.countDropped('DETECTOR_SERIES_LIMIT', 1);
        return;
      }
      series = {
        baseline: new RobustBaseline(this.baselineSettings(o.signal)), signal: o.signal, component: o.component, name: o.name,
        lastMs: Number.NEGATIVE_INFINITY, open: false, streak: 0, openFor: 0, excess: 0,
      };
      this.series.set(o.key, series);
      this.rollup.know(o.component);
    }
    if (!Number.isFinite(o.value) || o.atMs <= series.lastMs) {
      this.countDropped('DETECTOR_OUT_OF_ORDER', 1);
      return;
    }
    series.lastMs = o.atMs;
    const verdict = series.baseline.judge(o.value);
    if (verdict === undefined) {
      series.baseline.learn(o.value);
      return;
    }
    const anomalous = verdict.excess >= 1;
    const attributes = {
      series: `${o.signal}:${o.name}`, value: o.value.toPrecision(6), median: verdict.median.toPrecision(6), threshold: verdict.threshold.toPrecision(6),
    };
    if (!series.open) {
      if (!anomalous) {
        series.streak = 0;
        series.baseline.learn(o.value);
        return;
      }
      series.streak += 1;
      series.excess = Math.max(series.streak === 1 ? 0 : series.excess, verdict.excess);
      if (series.streak < this.settings.openAfter) return;
      series.open = true;
      series.streak = 0;
      series.openFor = 0;
      this.opened(series, o.atMs, attributes, out);
      return;
    }
    if (verdict.excess < 0.5) {
      series.openFor = 0;
      series.streak += 1;
      series.baseline.learn(o.value);
      if (series.streak >= this.settings.resolveAfter) this.resolved(series, o.atMs, attributes, out);
      return;
    }
    series.streak = 0;
    series.excess = Math.max(series.excess, verdict.excess);
    if (anomalous) series.openFor += 1;
    if (series.openFor >= this.settings.relearnAfter) {
      series.baseline.reset();
      this.resolved(series, o.atMs, { ...attributes, reason: 'rebaselined' }, out);
    }
  }

  private opened(series: Series, atMs: number, attributes: Record<string, string>, out: DetectedAnomaly[]): void {
    const key = `${series.component.vmId}|${series.signal}`;
    let component = this.components.get(key);
    if (component === undefined) this.components.set(key, (component = { identity: series.component, open: new Set() }));
    const first = component.open.size === 0;
    component.open.add(series);
    if (!first) return;
    const c = series.component;
    out.push({
      level: 'COMPONENT', systemId: c.systemId, subjectId: c.vmId, anomalyType: series.signal, state: 'OPEN', severity: severityOf(series.excess),
      atMs, attributes: { source: 'telemetry-gateway', ...attributes },
    });
    out.push(...this.rollup.changed(c, series.signal, true, atMs));
  }

  private resolved(series: Series, atMs: number, attributes: Record<string, string>, out: DetectedAnomaly[]): void {
    series.open = false;
    series.streak = 0;
    series.openFor = 0;
    const key = `${series.component.vmId}|${series.signal}`;
    const component = this.components.get(key);
    if (component === undefined || !component.open.delete(series) || component.open.size > 0) return;
    this.components.delete(key);
    const c = series.component;
    out.push({
      level: 'COMPONENT', systemId: c.systemId, subjectId: c.vmId, anomalyType: series.signal, state: 'RESOLVED', severity: 0,
      atMs, attributes: { source: 'telemetry-gateway', ...attributes },
    });
    out.push(...this.rollup.changed(c, series.signal, false, atMs));
  }

  private countDropped(reason: keyof DetectorOutput['skipped'], n: number): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + n;
  }
}
