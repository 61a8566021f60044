import type { SimulationResult } from './simulation-run.js';

function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Simulated duration as `1h 35m`. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m` : `${minutes}m`;
}

/** The short summary printed at the end of `foresight start` (pure: returns the text). */
export function formatSummary(result: SimulationResult): string {
  const p = result.policies;
  const cut = p.reactive.degradedVmMinutes > 0 ? 1 - p.predictive.degradedVmMinutes / p.reactive.degradedVmMinutes : null;
  const rows = [
    ['predictive (Foresight + autoscaler)', p.predictive, fixed(result.prediction.auprc, 3)],
    ['reactive (autoscaler only)', p.reactive, 'n/a'],
    ['no action', p.none, 'n/a'],
  ] as const;
  const lines = [
    `Foresight, ${result.runtime.mode === 'stack' ? 'on the stack' : 'embedded'}: ${result.fleet.vms} VMs (${result.fleet.systems} systems, ${result.fleet.hosts} hosts, ${result.fleet.pathways} pathways), ` +
      `seed ${result.options.seed}, ${result.incidents} incidents (${result.detectedIncidents} detected) over ${formatDuration(result.options.durationMs)} ` +
      `(${formatDuration(result.endAt - result.startAt)} simulated with the horizon) in ${(result.wallMs / 1000).toFixed(1)} s`,
    '',
    table(
      ['policy', 'degraded VM-min', 'SLO-critical min', 'granted unit-min', 'wasted unit-min', 'protected before onset', 'AUPRC'],
      rows.map(([name, t, auprc]) => [
        name, fixed(t.degradedVmMinutes, 0), fixed(t.sloViolationMinutes, 0), fixed(t.grantedUnitMinutes, 0), fixed(t.wastedUnitMinutes, 0),
        `${fixed(t.protectedShare * 100, 1)}%`, auprc,
      ]),
    ),
    '',
    `Predictive vs reactive: ${cut === null ? 'n/a' : `${(cut * 100).toFixed(1)}% fewer degraded VM-minutes`}; ` +
      `precision ${fixed(result.prediction.precision, 2)}, recall ${fixed(result.prediction.recall, 2)} at the grant threshold; ` +
      `${result.messages.models} model version(s) published by the learner.`,
    `Messages: ${result.messages.published} telemetry and anomaly events in, ${result.messages.risk} risk assessments, ${result.messages.allocations} allocation commands, ` +
      `${result.messages.outcomes} actuator outcomes. Units: 1 vCPU, 1 GiB or 100 Mbps for a minute.`,
  ];
  return lines.join('\n');
}
