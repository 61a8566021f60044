import type { IncidentShowcase } from '../incident-showcase.js';
import { escapeXml, n } from './svg-text.js';

/** A node of the drawn neighbourhood, placed by hop distance from the sources. */
export interface PlacedNode {
  readonly vmId: string;
  readonly layer: number;
  readonly x: number;
  readonly y: number;
  readonly probability: number | undefined;
  readonly source: boolean;
  readonly affected: boolean;
}

/** The deterministic layout of an incident's neighbourhood: layer = hops from a source along the likeliest path. */
export interface IncidentLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  /** Predicted hops (likeliest paths) and true transmissions (the hidden cascade). */
  readonly predicted: readonly { readonly from: string; readonly to: string; readonly kind: string; readonly probability: number }[];
  readonly truth: readonly { readonly from: string; readonly to: string }[];
}

const COLUMN = 170;
const ROW = 46;
const PAD = 50;

/**
 * Lays out sources (layer 0), every VM on the likeliest paths of the top at-risk VMs (layer = its position on the
 * path) and the truly affected VMs (the layer after their true parent's, or after the last one). Within a layer,
 * nodes are ordered by probability, then id, so the same incident always draws the same picture.
 */
export function layoutIncident(showcase: IncidentShowcase): IncidentLayout {
  const layer = new Map<string, number>();
  const probability = new Map(showcase.atRisk.map((r) => [r.vmId, r.probability]));
  for (const s of showcase.sources) layer.set(s, 0);
  const predicted: { from: string; to: string; kind: string; probability: number }[] = [];
  const seenEdge = new Set<string>();
  for (const r of showcase.atRisk) {
    r.path.forEach((vmId, k) => {
      layer.set(vmId, Math.min(layer.get(vmId) ?? Infinity, k));
      if (k === 0) return;
      const key = `${r.path[k - 1]}>${vmId}`;
      if (seenEdge.has(key)) return;
      seenEdge.add(key);
      predicted.push({ from: r.path[k - 1], to: vmId, kind: r.kinds[k - 1] ?? '', probability: probability.get(vmId) ?? r.probability });
    });
  }
  const affected = new Set(showcase.affected.map((a) => a.vmId));
  const maxKnown = Math.max(0, ...layer.values());
  for (const a of showcase.affected) {
    if (layer.has(a.vmId)) continue;
    const parent = a.parentVmId === undefined ? undefined : layer.get(a.parentVmId);
    layer.set(a.vmId, parent === undefined ? (a.parentVmId === undefined ? 0 : maxKnown + 1) : parent + 1);
  }
  const truth = showcase.affected.filter((a) => a.parentVmId !== undefined && layer.has(a.parentVmId)).map((a) => ({ from: a.parentVmId as string, to: a.vmId }));
  const layers = new Map<number, string[]>();
  for (const [vmId, l] of layer) layers.set(l, [...(layers.get(l) ?? []), vmId]);
  const order = (a: string, b: string): number => (probability.get(b) ?? 2) - (probability.get(a) ?? 2) || (a < b ? -1 : a > b ? 1 : 0);
  const tallest = Math.max(1, ...[...layers.values()].map((l) => l.length));
  const height = PAD * 2 + tallest * ROW;
  const columns = Math.max(1, ...layers.keys()) + 1;
  const width = Math.max(520, PAD * 2 + (columns - 1) * COLUMN + 120);
  const nodes: PlacedNode[] = [];
  for (const [l, ids] of [...layers].sort((a, b) => a[0] - b[0])) {
    const sorted = [...ids].sort(order);
    const top = (height - sorted.length * ROW) / 2 + ROW / 2;
    sorted.forEach((vmId, k) => nodes.push({
      vmId, layer: l, x: PAD + 40 + l * COLUMN, y: top + k * ROW, probability: probability.get(vmId), source: showcase.sources.includes(vmId), affected: affected.has(vmId),
    }));
  }
  return { width, height, nodes, predicted, truth };
}

function fill(node: PlacedNode): string {
  if (node.source) return '#dc2626';
  if (node.affected && node.probability !== undefined) return '#f97316';
  if (node.affected) return '#ffffff';
  return '#bfdbfe';
}

/** The incident's neighbourhood as an SVG: likeliest predicted paths (blue, width by probability), true spread (dashed orange). */
export function incidentGraphSvg(showcase: IncidentShowcase, id = 'chart-incident-graph'): string {
  const layout = layoutIncident(showcase);
  const at = new Map(layout.nodes.map((node) => [node.vmId, node]));
  const edge = (from: string, to: string, attrs: string, title: string): string => {
    const a = at.get(from);
    const b = at.get(to);
    if (a === undefined || b === undefined) return '';
    const bend = a.layer === b.layer ? 40 : 0;
    return `<path d="M${n(a.x)},${n(a.y)} Q${n((a.x + b.x) / 2 + bend)},${n((a.y + b.y) / 2 - bend)} ${n(b.x)},${n(b.y)}" fill="none" ${attrs}><title>${escapeXml(title)}</title></path>`;
  };
  const predicted = layout.predicted.map((e) => edge(e.from, e.to, `stroke="#2563eb" stroke-opacity="0.7" stroke-width="${n(1 + 5 * e.probability)}" marker-end="url(#arrow-blue)"`,
    `${e.from} → ${e.to} via ${e.kind}: p = ${e.probability.toFixed(2)}`)).join('');
  const truth = layout.truth.map((e) => edge(e.from, e.to, 'stroke="#ea580c" stroke-width="2" stroke-dasharray="5,4" marker-end="url(#arrow-orange)"', `truly spread ${e.from} → ${e.to}`)).join('');
  const nodes = layout.nodes.map((node) => {
    const r = node.source ? 12 : 8 + 6 * (node.probability ?? 0.2);
    const stroke = node.affected ? '#ea580c' : '#1e3a8a';
    const label = node.probability === undefined ? (node.source ? 'source' : node.affected ? 'missed' : '') : `p ${node.probability.toFixed(2)}`;
    return `<g><circle cx="${n(node.x)}" cy="${n(node.y)}" r="${n(r)}" fill="${fill(node)}" stroke="${stroke}" stroke-width="${node.affected ? 2.5 : 1}">` +
      `<title>${escapeXml(`${node.vmId}${node.source ? ' (source)' : ''}${node.affected ? ' — truly affected' : ''}${label === '' ? '' : `, ${label}`}`)}</title></circle>` +
      `<text x="${n(node.x + r + 4)}" y="${n(node.y - 2)}" class="node">${escapeXml(node.vmId)}</text>` +
      `<text x="${n(node.x + r + 4)}" y="${n(node.y + 10)}" class="node-sub">${escapeXml(label)}</text></g>`;
  }).join('');
  const hops = [...new Set(layout.nodes.map((node) => node.layer))].sort((a, b) => a - b)
    .map((l) => `<text x="${n(PAD + 40 + l * COLUMN)}" y="22" text-anchor="middle" class="axis">${l === 0 ? 'source' : `${l} hop${l > 1 ? 's' : ''}`}</text>`).join('');
  const defs = '<defs><marker id="arrow-blue" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#2563eb"/></marker>' +
    '<marker id="arrow-orange" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#ea580c"/></marker></defs>';
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${id}" data-chart="${id}" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" ` +
    `aria-label="incident ${escapeXml(showcase.incidentId)} on its neighbourhood graph"><title>Incident ${escapeXml(showcase.incidentId)}: likeliest paths and true spread</title>${defs}${hops}${truth}${predicted}${nodes}</svg>`;
}

/** The incident's grants over time: one row per VM, Foresight's and the autoscaler's holds, true onsets and detections. */
export function grantTimelineSvg(showcase: IncidentShowcase, id = 'chart-incident-grants'): string {
  const rows = [...new Set([...showcase.sources, ...showcase.affected.map((a) => a.vmId), ...showcase.grants.map((g) => g.vmId)])].slice(0, 16);
  const t0 = Math.min(showcase.firstDetectionAt, ...showcase.affected.map((a) => a.onsetAt)) - 60_000;
  const t1 = showcase.horizonEnd;
  const width = 900;
  const left = 170;
  const right = 20;
  const height = 60 + rows.length * 22 + 40;
  const x = (t: number): number => left + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * (width - left - right);
  const minutes = Math.floor((t1 - t0) / 60_000);
  const step = minutes > 30 ? 5 : minutes > 10 ? 2 : 1;
  const axis = Array.from({ length: Math.floor(minutes / step) + 1 }, (_, k) => k * step).map((m) => `<line x1="${n(x(t0 + m * 60_000))}" x2="${n(x(t0 + m * 60_000))}" y1="40" y2="${height - 40}" stroke="#f1f5f9"/>` +
    `<text x="${n(x(t0 + m * 60_000))}" y="${height - 24}" text-anchor="middle" class="tick">${m}</text>`).join('');
  const body = rows.map((vmId, k) => {
    const yy = 50 + k * 22;
    const bars = showcase.grants.filter((g) => g.vmId === vmId).map((g) => {
      const dy = g.by === 'foresight' ? 0 : 9;
      return `<rect x="${n(x(g.start))}" y="${n(yy + dy)}" width="${n(Math.max(2, x(g.end) - x(g.start)))}" height="8" fill="${g.by === 'foresight' ? '#2563eb' : '#9ca3af'}" rx="2">` +
        `<title>${escapeXml(`${g.by === 'foresight' ? 'Foresight' : 'autoscaler'} grant on ${vmId}: ${((g.start - t0) / 60_000).toFixed(1)}–${((g.end - t0) / 60_000).toFixed(1)} min`)}</title></rect>`;
    }).join('');
    const truth = showcase.affected.find((a) => a.vmId === vmId);
    const onset = truth === undefined ? '' : `<path d="M${n(x(truth.onsetAt))},${yy - 2} l-5,-6 h10 z" fill="#ea580c"><title>true onset</title></path>` +
      `<line x1="${n(x(truth.onsetAt))}" x2="${n(x(truth.onsetAt))}" y1="${yy - 2}" y2="${yy + 18}" stroke="#ea580c"/>`;
    const detected = truth?.detectedAt === undefined ? '' : `<circle cx="${n(x(truth.detectedAt))}" cy="${yy + 8}" r="3.5" fill="#dc2626"><title>detected</title></circle>`;
    return `<text x="${left - 8}" y="${yy + 12}" text-anchor="end" class="node">${escapeXml(vmId)}</text>${bars}${onset}${detected}`;
  }).join('');
  const legend = [['#2563eb', 'Foresight grant'], ['#9ca3af', 'autoscaler grant'], ['#ea580c', 'true onset'], ['#dc2626', 'detected']]
    .map(([color, label], i) => `<g transform="translate(${left + i * 150},26)"><rect width="12" height="12" y="-10" fill="${color}" rx="2"/><text x="16" class="legend">${label}</text></g>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${id}" data-chart="${id}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="grants over time">` +
    `<title>Grants over time</title>${legend}${axis}${body}<text x="${n((left + width) / 2)}" y="${height - 6}" text-anchor="middle" class="axis">minutes</text></svg>`;
}
