/** What the suite measured for one fault. */
export interface FaultResult {
  readonly fault: string;
  /** OPEN anomalies the stream published during the phase. */
  readonly anomalies: number;
  /** Of those, never assessed (messages lost: must be 0). */
  readonly lost: number;
  /** GRANTs of an (incident, VM) while another of its GRANTs was active (must be 0). */
  readonly duplicates: number;
  /** Ledger samples with a host over capacity (must be 0), of all samples taken in the phase. */
  readonly overCapacity: number;
  readonly samples: number;
  /** GRANTs never released at the end of the phase, every anomaly resolved (must be 0). */
  readonly unreleased: number;
  /** Seconds the fault lasted: from its injection until the platform had undone it (server or process back). */
  readonly faultSeconds: number;
  /** Seconds from the fault's end until the pipeline had caught up (undefined: it did not). */
  readonly recoverySeconds: number | undefined;
  /** Every check that failed (empty: the fault was survived). */
  readonly failures: readonly string[];
}

/** The results as a Markdown table (the one docs/operations.md shows). */
export function chaosTable(results: readonly FaultResult[]): string {
  const rows = results.map((r) => [
    r.fault,
    r.failures.length === 0 ? 'yes' : 'NO',
    String(r.anomalies),
    String(r.lost),
    String(r.duplicates),
    `${r.overCapacity} of ${r.samples}`,
    String(r.unreleased),
    `${r.faultSeconds.toFixed(1)} s`,
    r.recoverySeconds === undefined ? 'not recovered' : `${r.recoverySeconds.toFixed(1)} s`,
  ]);
  const header = ['fault', 'survived', 'OPEN anomalies', 'lost', 'duplicate GRANTs', 'over-capacity samples', 'unreleased GRANTs', 'fault lasted', 'time to recover after it'];
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Each failed fault with its failed checks. */
export function chaosFailures(results: readonly FaultResult[]): string {
  return results.filter((r) => r.failures.length > 0).map((r) => `- ${r.fault}: ${r.failures.join('; ')}`).join('\n');
}
