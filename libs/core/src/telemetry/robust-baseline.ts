import { ForesightError } from '../errors.js';

/** What one series' deviation test needs: how much data, how far from normal, and floors for flat series. */
export interface BaselineSettings {
  /** Observations kept (the sliding window the median and MAD are taken over). */
  readonly size: number;
  /** Observations needed before the series may be judged (the warm-up). */
  readonly warmUp: number;
  /** How many robust standard deviations (1.4826 × MAD) above the median is anomalous. */
  readonly k: number;
  /** The threshold is at least this far above the median, in the series' unit (a flat series' floor). */
  readonly minDelta: number;
  /** …and at least this share of the median above it (latency 0.5: +50 %). */
  readonly minRatio: number;
}

/** A judgement of one observation against its baseline. */
export interface BaselineVerdict {
  readonly median: number;
  /** Above this is anomalous. */
  readonly threshold: number;
  /** (value − median) / (threshold − median): ≥ 1 anomalous, < 0.5 clearly back to normal. */
  readonly excess: number;
}

/** 1.4826 × MAD estimates the standard deviation of normal data. */
const MAD_TO_SIGMA = 1.4826;

function median(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A robust baseline over a sliding window of the latest normal observations: the median and the median absolute
 * deviation (MAD), so a few outliers in the window move neither. Upward deviations only (latency, error rate and
 * utilisation are bad when high). The owner decides what is learned: the detector learns only values it does not
 * judge anomalous, so a fault does not become the new normal while it lasts.
 */
export class RobustBaseline {
  private readonly values: number[] = [];
  private next = 0;

  constructor(private readonly settings: BaselineSettings) {
    const { size, warmUp, k, minDelta, minRatio } = settings;
    if (!(Number.isInteger(size) && size >= 3 && Number.isInteger(warmUp) && warmUp >= 3 && warmUp <= size && k > 0 && minDelta >= 0 && minRatio >= 0)) {
      throw new ForesightError('INVALID_PARAMETERS', `baseline settings invalid: ${JSON.stringify(settings)} (size ≥ warmUp ≥ 3, k > 0, floors ≥ 0)`);
    }
  }

  /** Observations held. */
  get count(): number {
    return this.values.length;
  }

  /** True once the warm-up is over. */
  get ready(): boolean {
    return this.values.length >= this.settings.warmUp;
  }

  /** Learns a value (the oldest leaves once `size` are held). Non-finite values are ignored. */
  learn(value: number): void {
    if (!Number.isFinite(value)) return;
    if (this.values.length < this.settings.size) this.values.push(value);
    else this.values[this.next] = value;
    this.next = (this.next + 1) % this.settings.size;
  }

  /** Forgets everything: a new warm-up (a level shift accepted as the new normal). */
  reset(): void {
    this.values.length = 0;
    this.next = 0;
  }

  /** Judges a value against the baseline; undefined during the warm-up. */
  judge(value: number): BaselineVerdict | undefined {
    if (!this.ready) return undefined;
    const sorted = Float64Array.from(this.values).sort();
    const m = median(sorted);
    const mad = median(sorted.map((v) => Math.abs(v - m)).sort());
    const delta = Math.max(this.settings.k * MAD_TO_SIGMA * mad, this.settings.minDelta, this.settings.minRatio * Math.abs(m), Number.EPSILON);
    return { median: m, threshold: m + delta, excess: (value - m) / delta };
  }
}
