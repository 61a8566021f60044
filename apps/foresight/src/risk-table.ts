import type { IncidentScores, VmRisk } from '@foresight/stores';

/** A plain-text table; `right` marks the columns aligned right (numbers). */
function table(header: readonly string[], right: readonly boolean[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A span as `1h 05m`, `4m 20s` or `12s`. */
function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** An ETA (event time, ms) as UTC time and how far it is from `now`. */
export function formatEta(etaAt: number, now: number): string {
  const time = new Date(Math.round(etaAt / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const delta = etaAt - now;
  return `${time} (${Math.abs(delta) < 1000 ? 'now' : delta > 0 ? `in ${span(delta)}` : `${span(delta)} ago`})`;
}

/** `foresight risk incident` for a person: the incident's version and its at-risk VMs, likeliest first. */
export function formatIncidentRisk(scores: IncidentScores, limit: number, now: number): string {
  if (scores.entries.length === 0) return `incident ${scores.incidentId}, risk version ${scores.version}: no VM at risk (closed, or its scores reach no VM)\n`;
  const shown = scores.entries.length < limit ? `its ${scores.entries.length} at-risk VMs` : `its ${limit} likeliest at-risk VMs`;
  const rows = scores.entries.map((e, i) => [String(i + 1), e.vmId, e.probability.toFixed(3), formatEta(e.etaAt, now)]);
  return `incident ${scores.incidentId}, risk version ${scores.version}: ${shown}\n${table(['#', 'vm', 'probability', 'eta'], [true, false, true, false], rows)}\n`;
}

/** `foresight risk vm` for a person: the live incidents that threaten the VM, highest probability first. */
export function formatVmRisk(vmId: string, risk: VmRisk | undefined, now: number): string {
  if (risk === undefined) return `vm ${vmId}: no live incident scores it\n`;
  const rows = risk.incidents.map((r) => [r.incidentId, String(r.version), r.probability.toFixed(3), formatEta(r.etaAt, now)]);
  const count = risk.incidents.length === 1 ? '1 live incident' : `${risk.incidents.length} live incidents`;
  return `vm ${vmId}: at risk from ${count}, highest probability ${risk.maxProbability.toFixed(3)}\n${table(['incident', 'version', 'probability', 'eta'], [false, true, true, false], rows)}\n`;
}
