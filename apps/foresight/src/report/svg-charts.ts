import { escapeXml, n, niceTicks, tickLabel } from './svg-text.js';

/** One named series of a chart, drawn in `color`. */
export interface ChartSeries {
  readonly name: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
}

/** What every chart has: an id (for tests and links), a title, the size and the axis labels. */
export interface ChartFrame {
  readonly id: string;
  readonly title: string;
  readonly width?: number;
  readonly height?: number;
  readonly yLabel?: string;
  readonly xLabel?: string;
  /** Fixed top of the y axis (e.g. 1 for probabilities); default: from the data. */
  readonly yMax?: number;
}

const M = { top: 36, right: 16, bottom: 58, left: 56 };

interface Plot { readonly w: number; readonly h: number; readonly x0: number; readonly y0: number; readonly ticks: readonly number[]; readonly top: number }

function plotOf(frame: ChartFrame, maxValue: number): Plot {
  const w = frame.width ?? 520;
  const h = frame.height ?? 300;
  const ticks = frame.yMax !== undefined ? niceTicks(frame.yMax, 5) : niceTicks(maxValue, 5);
  return { w, h, x0: M.left, y0: h - M.bottom, ticks, top: ticks[ticks.length - 1] };
}

function y(plot: Plot, v: number): number {
  return plot.y0 - (v / plot.top) * (plot.y0 - M.top);
}

function frameSvg(frame: ChartFrame, plot: Plot, body: string, legend: readonly ChartSeries[]): string {
  const grid = plot.ticks.map((t) => `<line x1="${plot.x0}" x2="${plot.w - M.right}" y1="${n(y(plot, t))}" y2="${n(y(plot, t))}" stroke="#e5e7eb"/>` +
    `<text x="${plot.x0 - 6}" y="${n(y(plot, t) + 4)}" text-anchor="end" class="tick">${escapeXml(tickLabel(t))}</text>`).join('');
  const legendSvg = legend.map((s, i) => `<g transform="translate(${plot.x0 + i * 150},${plot.h - 14})"><rect width="12" height="12" y="-10" fill="${s.color}" rx="2"/>` +
    `<text x="16" class="legend">${escapeXml(s.name)}</text></g>`).join('');
  const yLabel = frame.yLabel === undefined ? '' : `<text transform="translate(14,${n((M.top + plot.y0) / 2)}) rotate(-90)" text-anchor="middle" class="axis">${escapeXml(frame.yLabel)}</text>`;
  const xLabel = frame.xLabel === undefined ? '' : `<text x="${n((plot.x0 + plot.w - M.right) / 2)}" y="${plot.y0 + 34}" text-anchor="middle" class="axis">${escapeXml(frame.xLabel)}</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="${escapeXml(frame.id)}" data-chart="${escapeXml(frame.id)}" viewBox="0 0 ${plot.w} ${plot.h}" ` +
    `width="${plot.w}" height="${plot.h}" role="img" aria-label="${escapeXml(frame.title)}"><title>${escapeXml(frame.title)}</title>` +
    `<text x="${plot.x0}" y="20" class="chart-title">${escapeXml(frame.title)}</text>${grid}` +
    `<line x1="${plot.x0}" x2="${plot.w - M.right}" y1="${plot.y0}" y2="${plot.y0}" stroke="#9ca3af"/>${body}${yLabel}${xLabel}${legendSvg}</svg>`;
}

/** Grouped bars: one group per category, one bar per series (null values leave a gap). */
export function barChart(frame: ChartFrame, categories: readonly string[], series: readonly ChartSeries[]): string {
  const max = Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const plot = plotOf(frame, max);
  const band = (plot.w - M.right - plot.x0) / Math.max(1, categories.length);
  const bar = Math.min(48, (band * 0.8) / Math.max(1, series.length));
  const bars = categories.map((category, c) => {
    const left = plot.x0 + c * band + (band - bar * series.length) / 2;
    const rects = series.map((s, k) => {
      const v = s.values[c];
      if (v === null || v === undefined) return '';
      const top = y(plot, v);
      return `<rect x="${n(left + k * bar)}" y="${n(top)}" width="${n(bar - 2)}" height="${n(plot.y0 - top)}" fill="${s.color}" rx="2">` +
        `<title>${escapeXml(`${category} · ${s.name}: ${tickLabel(Math.round(v * 1000) / 1000)}`)}</title></rect>`;
    }).join('');
    return `${rects}<text x="${n(plot.x0 + c * band + band / 2)}" y="${plot.y0 + 16}" text-anchor="middle" class="tick">${escapeXml(category)}</text>`;
  }).join('');
  return frameSvg(frame, plot, bars, series);
}

/** Stacked bars: one bar per category, series stacked bottom-up. */
export function stackedBarChart(frame: ChartFrame, categories: readonly string[], series: readonly ChartSeries[]): string {
  const totals = categories.map((_, c) => series.reduce((s, x) => s + (x.values[c] ?? 0), 0));
  const plot = plotOf(frame, Math.max(0, ...totals));
  const band = (plot.w - M.right - plot.x0) / Math.max(1, categories.length);
  const bar = Math.min(72, band * 0.6);
  const bars = categories.map((category, c) => {
    let base = 0;
    const left = plot.x0 + c * band + (band - bar) / 2;
    const rects = series.map((s) => {
      const v = s.values[c] ?? 0;
      const rect = v <= 0 ? '' : `<rect x="${n(left)}" y="${n(y(plot, base + v))}" width="${n(bar)}" height="${n(y(plot, base) - y(plot, base + v))}" fill="${s.color}">` +
        `<title>${escapeXml(`${category} · ${s.name}: ${tickLabel(Math.round(v))}`)}</title></rect>`;
      base += v;
      return rect;
    }).join('');
    return `${rects}<text x="${n(left + bar / 2)}" y="${n(y(plot, totals[c]) - 5)}" text-anchor="middle" class="value">${escapeXml(tickLabel(Math.round(totals[c])))}</text>` +
      `<text x="${n(plot.x0 + c * band + band / 2)}" y="${plot.y0 + 16}" text-anchor="middle" class="tick">${escapeXml(category)}</text>`;
  }).join('');
  return frameSvg(frame, plot, bars, series);
}

/** Lines over x = 1…N (null breaks a line), with optional vertical markers at x positions. */
export function lineChart(frame: ChartFrame, series: readonly ChartSeries[], markers: readonly { readonly x: number; readonly label: string }[] = []): string {
  const count = Math.max(1, ...series.map((s) => s.values.length));
  const max = Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const plot = plotOf(frame, max);
  const x = (i: number): number => plot.x0 + (count === 1 ? 0.5 : (i - 1) / (count - 1)) * (plot.w - M.right - plot.x0);
  const lines = series.map((s) => {
    let d = '';
    let pen = false;
    s.values.forEach((v, k) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${n(x(k + 1))},${n(y(plot, v))}`;
      pen = true;
    });
    const dots = s.values.map((v, k) => (v === null ? '' : `<circle cx="${n(x(k + 1))}" cy="${n(y(plot, v))}" r="2.5" fill="${s.color}"><title>${escapeXml(`${s.name} after ${k + 1}: ${v.toFixed(3)}`)}</title></circle>`)).join('');
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}`;
  }).join('');
  const xTicks = niceTicks(count, 6).filter((t) => t >= 1 && t <= count).map((t) => `<text x="${n(x(t))}" y="${plot.y0 + 16}" text-anchor="middle" class="tick">${t}</text>`).join('');
  const marks = markers.map((m, k) => `<line x1="${n(x(m.x))}" x2="${n(x(m.x))}" y1="${M.top}" y2="${plot.y0}" stroke="#a855f7" stroke-dasharray="3,3"/>` +
    `<text x="${n(x(m.x) + 3)}" y="${M.top + 10 + (k % 3) * 11}" class="marker">${escapeXml(m.label)}</text>`).join('');
  return frameSvg(frame, plot, `${marks}${lines}${xTicks}`, series);
}
