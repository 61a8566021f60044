import { NezhaDataError } from './nezha-data-error.js';

/** One span of a trace file. */
export interface TraceSpan {
  readonly spanId: string;
  /** `root` for a trace's first span. */
  readonly parentId: string;
  readonly pod: string;
  readonly startMs: number;
  readonly durationMs: number;
}

const COLUMNS = { spanId: 'SpanID', parentId: 'ParentID', pod: 'PodName', start: 'StartTimeUnixNano', duration: 'Duration' } as const;
const NANOS_PER_MS = 1e6;
const MICROS_PER_MS = 1e3;

/** Reads rows of one trace file: give it the header line, then each data line. */
export class TraceSpanParser {
  private readonly index: Record<keyof typeof COLUMNS, number>;

  constructor(header: string, private readonly file: string) {
    const names = header.split(',').map((n) => n.trim());
    this.index = Object.fromEntries(Object.entries(COLUMNS).map(([key, name]) => {
      const i = names.indexOf(name);
      if (i < 0) throw new NezhaDataError('NEZHA_DATA_INVALID', `${file}: no column ${name}`);
      return [key, i];
    })) as Record<keyof typeof COLUMNS, number>;
  }

  /** One data line as a span; undefined for a blank line. */
  parse(line: string, lineNumber: number): TraceSpan | undefined {
    if (line.trim() === '') return undefined;
    const cells = line.split(',');
    // NOTE: start times are ~1.7e18 ns, beyond 2^53; the lost nanoseconds do not matter at millisecond windows.
    const startMs = Number(cells[this.index.start]) / NANOS_PER_MS;
    const durationMs = Number(cells[this.index.duration]) / MICROS_PER_MS;
    if (!Number.isFinite(startMs) || !Number.isFinite(durationMs)) {
      throw new NezhaDataError('NEZHA_DATA_INVALID', `${this.file}:${lineNumber}: start time or duration is not a number`);
    }
    return { spanId: cells[this.index.spanId], parentId: cells[this.index.parentId], pod: cells[this.index.pod], startMs, durationMs };
  }
}
