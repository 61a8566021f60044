import type { SimulationResult } from '../simulation-run.js';
import { formatDuration } from '../summary-table.js';
import { grantTimelineSvg, incidentGraphSvg } from './incident-graph.js';
import { barChart, lineChart, stackedBarChart } from './svg-charts.js';
import { escapeXml } from './svg-text.js';

const COLORS = { predictive: '#2563eb', reactive: '#9ca3af', none: '#f97316', wasted: '#fca5a5', useful: '#22c55e', precision: '#2563eb', recall: '#14b8a6' };

const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;background:#f8fafc;color:#0f172a}
main{max-width:1120px;margin:0 auto;padding:28px 24px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px}
.lede{color:#475569;margin:0 0 20px}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:12px 14px}
.card b{display:block;font-size:24px}.card span{color:#64748b;font-size:13px}
table{border-collapse:collapse;background:#fff;border:1px solid #e2e8f0;border-radius:10px;width:100%}
th,td{padding:7px 10px;text-align:right;border-bottom:1px solid #f1f5f9;font-variant-numeric:tabular-nums}
th:first-child,td:first-child{text-align:left}th{font-size:13px;color:#475569;background:#f8fafc}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:16px}
figure{margin:0;background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:8px}
figcaption{font-size:13px;color:#64748b;padding:0 8px 6px}
svg.chart{max-width:100%;height:auto;display:block}
.chart-title{font-weight:600;font-size:14px;fill:#0f172a}.tick{font-size:11px;fill:#64748b}.axis{font-size:12px;fill:#475569}
.legend{font-size:12px;fill:#334155}.value{font-size:11px;fill:#334155}.marker{font-size:10px;fill:#7e22ce}
.node{font-size:11px;fill:#0f172a}.node-sub{font-size:10px;fill:#64748b}
.note{color:#475569;font-size:13px}code{background:#f1f5f9;padding:1px 4px;border-radius:4px}
`;

function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits);
}

function policyTable(result: SimulationResult): string {
  const p = result.policies;
  const rows = [
    ['predictive (Foresight + autoscaler)', p.predictive, fixed(result.prediction.auprc, 3)],
    ['reactive (autoscaler only)', p.reactive, 'n/a'],
    ['no action', p.none, 'n/a'],
  ] as const;
  return `<table id="summary-table"><thead><tr><th>policy</th><th>degraded VM-min</th><th>SLO-critical min</th><th>granted unit-min</th><th>wasted unit-min</th><th>protected before onset</th><th>AUPRC</th></tr></thead><tbody>` +
    rows.map(([name, t, auprc]) => `<tr><td>${escapeXml(name)}</td><td>${fixed(t.degradedVmMinutes, 0)}</td><td>${fixed(t.sloViolationMinutes, 0)}</td>` +
      `<td>${fixed(t.grantedUnitMinutes, 0)}</td><td>${fixed(t.wastedUnitMinutes, 0)}</td><td>${fixed(t.protectedShare * 100, 1)}%</td><td>${auprc}</td></tr>`).join('') +
    '</tbody></table>';
}

function learningCurve(result: SimulationResult): string {
  const curve = result.prediction.learningCurve;
  const byX = new Map<number, number[]>();
  for (const p of curve.publications) byX.set(Math.max(1, p.afterIncidents), [...(byX.get(Math.max(1, p.afterIncidents)) ?? []), p.version]);
  const markers = [...byX].map(([x, versions]) => ({ x, label: versions.length === 1 ? `v${versions[0]}` : `v${versions[0]}–${versions[versions.length - 1]}` }));
  return lineChart(
    { id: 'chart-learning-curve', title: 'Learning curve (cumulative AUPRC)', yLabel: 'AUPRC', xLabel: 'incidents assessed', yMax: Math.max(0.1, ...curve.points.map((p) => p.cumulative ?? 0)) },
    [{ name: 'Foresight (cumulative AUPRC)', color: COLORS.predictive, values: curve.points.map((p) => p.cumulative) }],
    markers,
  );
}

function precisionRecall(result: SimulationResult): string {
  const types = Object.keys(result.prediction.byType);
  return barChart(
    { id: 'chart-precision-recall', title: 'Precision and recall by anomaly type', yMax: 1, yLabel: 'share' },
    types.map((t) => t.split('_')[0]),
    [
      { name: 'precision', color: COLORS.precision, values: types.map((t) => result.prediction.byType[t].precision) },
      { name: 'recall', color: COLORS.recall, values: types.map((t) => result.prediction.byType[t].recall) },
    ],
  );
}

function degradedByPolicy(result: SimulationResult): string {
  const p = result.policies;
  return barChart(
    { id: 'chart-degraded', title: 'Degraded VM-minutes by policy', yLabel: 'VM-minutes' },
    ['predictive', 'reactive', 'no action'],
    [
      { name: 'all VMs', color: COLORS.predictive, values: [p.predictive.degradedVmMinutes, p.reactive.degradedVmMinutes, p.none.degradedVmMinutes] },
      { name: 'SLO-critical VMs', color: COLORS.none, values: [p.predictive.sloViolationMinutes, p.reactive.sloViolationMinutes, p.none.sloViolationMinutes] },
    ],
  );
}

function resourceCost(result: SimulationResult): string {
  const p = result.policies;
  const list = [p.predictive, p.reactive, p.none];
  return stackedBarChart(
    { id: 'chart-resource-cost', title: 'Resource cost (unit-minutes granted)', yLabel: 'unit-minutes' },
    ['predictive', 'reactive', 'no action'],
    [
      { name: 'useful', color: COLORS.useful, values: list.map((t) => t.grantedUnitMinutes - t.wastedUnitMinutes) },
      { name: 'wasted', color: COLORS.wasted, values: list.map((t) => t.wastedUnitMinutes) },
    ],
  );
}

function showcaseSection(result: SimulationResult): string {
  const s = result.showcase;
  if (s === undefined) return '<h2>One incident</h2><p class="note">No incident was assessed in this run.</p>';
  const protectedCount = s.affected.filter((a) => s.grants.some((g) => g.by === 'foresight' && g.vmId === a.vmId && g.start <= a.onsetAt)).length;
  return `<h2>One incident: <code>${escapeXml(s.incidentId)}</code> (${escapeXml(s.anomalyType.replace('_', ' '))})</h2>` +
    `<p class="note">Sources in red, VMs on the likeliest paths of the ${s.atRisk.length} most likely at-risk VMs in blue (arrow width: probability), ` +
    `truly affected VMs ringed in orange (filled when Foresight listed them), the hidden cascade dashed. ${s.affected.length} VM(s) were truly affected; ` +
    `${protectedCount} had a Foresight grant in place before their onset.</p>` +
    `<figure>${incidentGraphSvg(s)}<figcaption>Neighbourhood graph, layered by hops from the source along the likeliest path.</figcaption></figure>` +
    `<figure style="margin-top:16px">${grantTimelineSvg(s)}<figcaption>Grants over time (minutes from one minute before the first onset or detection to the horizon).</figcaption></figure>`;
}

/** The runtime's description as a sentence start. */
function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The self-contained HTML report of a run: summary cards and table, and inline SVG charts (learning curve, precision
 * and recall by type, degraded minutes by policy, resource cost, one incident on its neighbourhood graph with its
 * grants over time). No script, no external resource: it opens offline.
 */
export function renderReport(result: SimulationResult): string {
  const p = result.policies;
  const cut = p.reactive.degradedVmMinutes > 0 ? 1 - p.predictive.degradedVmMinutes / p.reactive.degradedVmMinutes : null;
  const card = (value: string, label: string): string => `<div class="card"><b>${escapeXml(value)}</b><span>${escapeXml(label)}</span></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Foresight report: ${result.fleet.vms} VMs, seed ${result.options.seed}</title><style>${STYLE}</style></head>
<body><main>
<h1>Foresight: a simulated ${formatDuration(result.options.durationMs)} on ${result.fleet.vms} VMs</h1>
<p class="lede">${result.fleet.systems} systems on ${result.fleet.hosts} hosts with ${result.fleet.pathways} pathways; ${result.incidents} incidents (${result.detectedIncidents} detected), seed ${result.options.seed}.
${escapeXml(capitalised(result.runtime.description))}; ${formatDuration(result.endAt - result.startAt)} of simulated time took ${(result.wallMs / 1000).toFixed(1)} s.</p>
<div class="cards">
${card(cut === null ? 'n/a' : `${(cut * 100).toFixed(1)}%`, 'fewer degraded VM-minutes than reactive')}
${card(fixed(result.prediction.auprc, 3), 'AUPRC of the first assessment')}
${card(`${fixed(p.predictive.protectedShare * 100, 1)}%`, 'affected VMs protected before onset')}
${card(String(result.messages.models), 'model versions published by the learner')}
</div>
${policyTable(result)}
<p class="note">Predictive = Foresight's grants on top of the reactive autoscaler (which grants a VM once its own anomaly is detected). Degradation follows the simulator's impact model; a unit-minute is 1 vCPU, 1 GiB or 100 Mbps held for a minute; wasted = held on a VM the anomaly never reached.</p>
<h2>Charts</h2>
<div class="grid">
<figure>${learningCurve(result)}<figcaption>Pooled AUPRC of each incident's first risk assessment against where it truly spread; dashed lines: model versions published by the learner.</figcaption></figure>
<figure>${precisionRecall(result)}<figcaption>Of the first assessment of each incident; flagged = probability at or above the model's grant threshold (no bar: nothing flagged).</figcaption></figure>
<figure>${degradedByPolicy(result)}<figcaption>Same incidents, same cascades, three policies.</figcaption></figure>
<figure>${resourceCost(result)}<figcaption>What each policy held, and how much of it helped an affected VM.</figcaption></figure>
</div>
${showcaseSection(result)}
<p class="note">Messages: ${result.messages.published} telemetry and anomaly events in; ${result.messages.risk} risk assessments, ${result.messages.allocations} allocation commands and ${result.messages.outcomes} actuator outcomes out.</p>
</main></body></html>
`;
}
