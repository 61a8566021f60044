import { quantile, type LoadWindow } from './load-generator.js';

/** What the live line shows for one interval. */
export interface LiveState {
  readonly elapsedMs: number;
  readonly durationMs: number;
  readonly window: LoadWindow;
  readonly intervalMs: number;
  /** 'db: +300 ms' once injected, else 'none' or 'db: +300 ms in 4s'. */
  readonly fault: string;
  /** Records the Collector wrote to the spans topic during the run, or undefined when Kafka was not reachable. */
  readonly spanRecords: number | undefined;
  readonly spansTopic: string;
}

const ms = (value: number): string => (Number.isNaN(value) ? '-' : `${Math.round(value)} ms`);

/** `[ 23s/60s] 20.0 req/s  errors 12.5%  p50 14 ms  p99 310 ms | fault db: +300 ms | otlp_spans +412 records` */
export function formatLiveLine(state: LiveState): string {
  const { window } = state;
  const perSec = (window.sent * 1_000) / state.intervalMs;
  const answered = window.ok + window.errors;
  const errorShare = answered === 0 ? 0 : (100 * window.errors) / answered;
  const seconds = (v: number): string => `${Math.round(v / 1_000)}s`;
  const spans = state.spanRecords === undefined ? `${state.spansTopic} not readable` : `${state.spansTopic} +${state.spanRecords} records`;
  return [
    `[${seconds(state.elapsedMs).padStart(4)}/${seconds(state.durationMs)}] ${perSec.toFixed(1).padStart(5)} req/s`,
    `errors ${errorShare.toFixed(1).padStart(5)}%`,
    `p50 ${ms(quantile(window.latenciesMs, 0.5)).padStart(7)}`,
    `p99 ${ms(quantile(window.latenciesMs, 0.99)).padStart(7)}`,
    ...(window.dropped > 0 ? [`dropped ${window.dropped}`] : []),
    `| fault ${state.fault} | ${spans}`,
  ].join('  ');
}
