import type { SimulationProgress } from './simulation-run.js';

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** A text progress bar of `width` cells for a fraction in [0, 1]. */
export function progressBar(fraction: number, width = 24): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${String(Math.round(f * 100)).padStart(3)}%`;
}

/** The live line: bar, simulated time, open incidents, at-risk VMs, active grants, degraded minutes so far vs reactive. */
export function formatProgress(p: SimulationProgress): string {
  const fraction = (p.now - p.startAt) / Math.max(1, p.endAt - p.startAt);
  return `${progressBar(fraction)} sim ${clock(p.now - p.startAt)}/${clock(p.endAt - p.startAt)}  incidents ${p.openIncidents}  at-risk VMs ${p.atRiskVms}  ` +
    `grants ${p.activeGrants}  degraded VM-min ${p.degradedSoFar.toFixed(0)} vs reactive ${p.reactiveSoFar.toFixed(0)} (${p.judgedIncidents} judged)`;
}
