import { NezhaDataError } from './nezha-data-error.js';

/** The fault types Nezha injects into Online Boutique. */
export const NEZHA_FAULT_TYPES = ['cpu_contention', 'cpu_consumed', 'network_delay', 'return', 'exception'] as const;
/** One of NEZHA_FAULT_TYPES. */
export type NezhaFaultType = (typeof NEZHA_FAULT_TYPES)[number];

/** One injected fault: where, what and when (epoch ms). */
export interface NezhaFault {
  /** `<day>#<index>`, index in injection order within the day. */
  readonly faultId: string;
  readonly day: string;
  readonly pod: string;
  readonly type: NezhaFaultType;
  readonly injectedAt: number;
}

interface RawFault {
  readonly inject_timestamp?: unknown;
  readonly inject_pod?: unknown;
  readonly inject_type?: unknown;
}

function isFaultType(value: unknown): value is NezhaFaultType {
  return typeof value === 'string' && (NEZHA_FAULT_TYPES as readonly string[]).includes(value);
}

/** Parses a day's `<day>-fault_list.json` (faults grouped by hour) into faults in injection order. */
export function parseFaultList(text: string, day: string): NezhaFault[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new NezhaDataError('NEZHA_DATA_INVALID', `fault list of ${day}: not JSON`, { cause });
  }
  if (parsed === null || typeof parsed !== 'object') throw new NezhaDataError('NEZHA_DATA_INVALID', `fault list of ${day}: expected an object of hours`);
  const raw = Object.values(parsed as Record<string, unknown>).flatMap((hour) => (Array.isArray(hour) ? (hour as RawFault[]) : []));
  const faults = raw.map((f, i) => {
    const seconds = Number(f.inject_timestamp);
    if (!Number.isFinite(seconds) || typeof f.inject_pod !== 'string' || !isFaultType(f.inject_type)) {
      throw new NezhaDataError('NEZHA_DATA_INVALID', `fault list of ${day}: entry ${i} lacks inject_timestamp, inject_pod or a known inject_type`);
    }
    return { pod: f.inject_pod, type: f.inject_type, injectedAt: seconds * 1000 };
  });
  faults.sort((a, b) => a.injectedAt - b.injectedAt);
  return faults.map((f, i) => ({ faultId: `${day}#${String(i + 1).padStart(2, '0')}`, day, ...f }));
}
