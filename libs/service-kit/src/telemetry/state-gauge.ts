import type { Attributes, Meter, ObservableResult } from '@opentelemetry/api';

/** One observation of a gauge: a value and the attributes that identify its series. */
export interface GaugeReading {
  readonly value: number;
  readonly attributes?: Attributes;
}

/** What a gauge callback returns: one unlabelled value or several labelled readings. */
export type GaugeSample = number | readonly GaugeReading[];

/** A gauge of current state: pushed with `set` and/or pulled from callbacks at each collection. */
export interface StateGauge {
  /** Records the current value of the series `attributes` (kept until replaced or removed). */
  set(value: number, attributes?: Attributes): void;
  /** Forgets the series `attributes` (e.g. a partition no longer assigned). */
  remove(attributes?: Attributes): void;
  /** Registers a callback sampled at every collection; a throwing callback skips only its own readings. */
  observe(sample: () => GaugeSample | Promise<GaugeSample>): void;
}

/** The description of a gauge instrument. */
export interface GaugeDescription {
  readonly name: string;
  readonly description: string;
  readonly unit?: string;
}

const seriesKey = (attributes: Attributes = {}): string =>
  JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Creates an observable gauge on `meter` backed by pushed values and registered callbacks. */
export function createStateGauge(meter: Meter, gauge: GaugeDescription): StateGauge {
  const pushed = new Map<string, GaugeReading>();
  const samplers: (() => GaugeSample | Promise<GaugeSample>)[] = [];
  const instrument = meter.createObservableGauge(gauge.name, { description: gauge.description, ...(gauge.unit !== undefined ? { unit: gauge.unit } : {}) });
  instrument.addCallback(async (result: ObservableResult) => {
    for (const reading of pushed.values()) result.observe(reading.value, reading.attributes);
    const samples = await Promise.allSettled(samplers.map(async (sampler) => sampler()));
    for (const sample of samples) {
      if (sample.status === 'rejected') continue;
      if (typeof sample.value === 'number') result.observe(sample.value);
      else for (const reading of sample.value) result.observe(reading.value, reading.attributes);
    }
  });
  return {
    set: (value, attributes) => {
      pushed.set(seriesKey(attributes), { value, ...(attributes !== undefined ? { attributes } : {}) });
    },
    remove: (attributes) => {
      pushed.delete(seriesKey(attributes));
    },
    observe: (sample) => {
      samplers.push(sample);
    },
  };
}
