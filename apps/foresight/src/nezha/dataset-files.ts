import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseFaultList, type NezhaFault } from './fault-list.js';
import { NezhaDataError } from './nezha-data-error.js';
import { PodMetricParser, type PodMetricRow } from './pod-metrics.js';
import type { PodSeries } from './reach-labels.js';
import { TraceSpanParser, type TraceSpan } from './trace-spans.js';

/** The lines of a gzipped text file, streamed. */
export async function* gunzipLines(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } catch (cause) {
    throw new NezhaDataError('NEZHA_DATA_INVALID', `${path}: not readable as gzip`, { cause });
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/** The recorded days of a Nezha data set (folders of rca_data named like 2022-08-22). */
export async function nezhaDays(dir: string): Promise<string[]> {
  const rca = join(dir, 'rca_data');
  if (!(await isDirectory(rca))) throw new NezhaDataError('NEZHA_DATA_MISSING', `${dir}: no rca_data folder (expected a Nezha data set)`);
  return (await readdir(rca)).filter((name) => /^\d{4}-\d{2}-\d{2}$/.test(name)).sort();
}

/** A day's injected faults. */
export async function readFaults(dir: string, day: string): Promise<NezhaFault[]> {
  const path = join(dir, 'rca_data', day, `${day}-fault_list.json`);
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new NezhaDataError('NEZHA_DATA_MISSING', `${path}: cannot read`, { cause });
  });
  return parseFaultList(text, day);
}

/** Every pod's metric rows of a day (`rca_data` or `construct_data`), oldest first; the metric files are small. */
export async function readPodSeries(dir: string, part: 'rca_data' | 'construct_data', day: string): Promise<PodSeries[]> {
  const metricDir = join(dir, part, day, 'metric');
  const files = (await readdir(metricDir).catch(() => [])).filter((f) => f.endsWith('_metric.csv.gz')).sort();
  if (files.length === 0) throw new NezhaDataError('NEZHA_DATA_MISSING', `${metricDir}: no <pod>_metric.csv.gz`);
  const series: PodSeries[] = [];
  for (const file of files) {
    const path = join(metricDir, file);
    let parser: PodMetricParser | undefined;
    const rows: PodMetricRow[] = [];
    let n = 0;
    for await (const line of gunzipLines(path)) {
      n++;
      if (parser === undefined) parser = new PodMetricParser(line, path);
      else {
        const row = parser.parse(line, n);
        if (row !== undefined) rows.push(row);
      }
    }
    rows.sort((a, b) => a.at - b.at);
    series.push({ pod: file.slice(0, -'_metric.csv.gz'.length), rows });
  }
  return series;
}

/** A day's trace files, in time (name) order. */
export async function traceFiles(dir: string, day: string): Promise<string[]> {
  const traceDir = join(dir, 'rca_data', day, 'trace');
  return (await readdir(traceDir).catch(() => [])).filter((f) => f.endsWith('_trace.csv.gz')).sort().map((f) => join(traceDir, f));
}

/** The spans of one trace file (one minute, ~20k spans: the import holds at most two files). */
export async function readSpans(path: string): Promise<TraceSpan[]> {
  let parser: TraceSpanParser | undefined;
  const spans: TraceSpan[] = [];
  let n = 0;
  for await (const line of gunzipLines(path)) {
    n++;
    if (parser === undefined) parser = new TraceSpanParser(line, path);
    else {
      const span = parser.parse(line, n);
      if (span !== undefined) spans.push(span);
    }
  }
  return spans;
}
