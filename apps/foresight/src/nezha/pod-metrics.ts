import { NezhaDataError } from './nezha-data-error.js';

/** One row of a pod's metric file: about one minute of that pod, ending at `at` (epoch ms). */
export interface PodMetricRow {
  readonly at: number;
  /** CPU in millicores, and its share of the pod's limit as the file states it (see podCapacity). */
  readonly cpuMillis: number;
  readonly cpuRate: number;
  readonly memoryMiB: number;
  /** Percent of the pod's memory limit. */
  readonly memoryRate: number;
  /** Latency p99 (s) of the calls the pod makes (client) and serves (server); NaN in a minute without such calls. */
  readonly clientP99: number;
  readonly serverP99: number;
  /** What the node's readings look like at `at`: pods on one node report the same node figures. */
  readonly nodeSignature: string;
}

const COLUMNS = {
  at: 'TimeStamp',
  cpuMillis: 'CpuUsage(m)',
  cpuRate: 'CpuUsageRate(%)',
  memoryMiB: 'MemoryUsage(Mi)',
  memoryRate: 'MemoryUsageRate(%)',
  clientP99: 'PodClientLatencyP99(s)',
  serverP99: 'PodServerLatencyP99(s)',
} as const;
/** The files write NaN for a latency of a minute without calls. */
const LATENCIES: ReadonlySet<string> = new Set(['clientP99', 'serverP99']);
const NODE_COLUMNS = ['NodeCpuUsageRate(%)', 'NodeMemoryUsageRate(%)', 'NodeNetworkReceiveBytes'] as const;

/** Reads rows of one metric file: give it the header line, then each data line. */
export class PodMetricParser {
  private readonly index: Record<keyof typeof COLUMNS, number>;
  private readonly nodeIndex: number[];

  constructor(header: string, private readonly file: string) {
    const names = header.split(',').map((n) => n.trim());
    const find = (name: string): number => {
      const i = names.indexOf(name);
      if (i < 0) throw new NezhaDataError('NEZHA_DATA_INVALID', `${file}: no column ${name}`);
      return i;
    };
    this.index = Object.fromEntries(Object.entries(COLUMNS).map(([key, name]) => [key, find(name)])) as Record<keyof typeof COLUMNS, number>;
    this.nodeIndex = NODE_COLUMNS.map(find);
  }

  /** One data line as a row; undefined for a blank line. */
  parse(line: string, lineNumber: number): PodMetricRow | undefined {
    if (line.trim() === '') return undefined;
    const cells = line.split(',');
    const num = (key: keyof typeof COLUMNS): number => {
      const cell = cells[this.index[key]]?.trim();
      const value = Number(cell);
      if (cell === 'NaN' && LATENCIES.has(key)) return Number.NaN;
      if (!Number.isFinite(value)) throw new NezhaDataError('NEZHA_DATA_INVALID', `${this.file}:${lineNumber}: ${COLUMNS[key]} is not a number`);
      return value;
    };
    return {
      at: num('at') * 1000,
      cpuMillis: num('cpuMillis'),
      cpuRate: num('cpuRate'),
      memoryMiB: num('memoryMiB'),
      memoryRate: num('memoryRate'),
      clientP99: num('clientP99'),
      serverP99: num('serverP99'),
      nodeSignature: this.nodeIndex.map((i) => cells[i]).join('|'),
    };
  }
}
