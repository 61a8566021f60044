/** Anomaly types are an open set of strings; these are the ones the default model knows. */
export const WELL_KNOWN_ANOMALY_TYPES = [
  'cpu_saturation',
  'memory_pressure',
  'network_congestion',
  'disk_io',
  'latency',
  'error_rate',
] as const;
export type WellKnownAnomalyType = (typeof WELL_KNOWN_ANOMALY_TYPES)[number];

/** The parameters used for an anomaly type the model has never seen (stated default, not a crash). */
export const GENERIC_ANOMALY_TYPE = 'generic';

const TYPE_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/** Normalises an anomaly type string: lower-case, trimmed; anything malformed becomes `generic`. */
export function normaliseAnomalyType(value: string): string {
  const t = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return TYPE_PATTERN.test(t) ? t : GENERIC_ANOMALY_TYPE;
}
