import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeededRandom } from '@foresight/core';
import type { RiskAssessment } from '@foresight/contracts';
import type { PodMetricRow } from '../../src/nezha/pod-metrics.js';
import { reachAnomalies } from '../../src/nezha/reach-anomalies.js';
import { countFalseFlags } from '../../src/nezha/reach-false-flags.js';
import { baselineRows, REACH_RULE, reachedPods, robustThreshold, type PodSeries } from '../../src/nezha/reach-labels.js';
import { firstAssessmentOf } from '../../src/nezha/reach-evaluation.js';
import type { FaultLabel } from '../../src/nezha/nezha-import.js';
import { auprcWithInterval, callerDistances, directCallers, pooledAuprc, randomScores, transitiveCallers, type ScoredFault } from '../../src/nezha/reach-scoring.js';

const MINUTE = 60_000;

/** A pod with a row a minute for `minutes`, latency wobbling around 0.1 s, raised to `raised` in the given minutes. */
function pod(name: string, minutes: number, raised: ReadonlySet<number> = new Set(), level = 1): PodSeries {
  const rows: PodMetricRow[] = [];
  for (let m = 1; m <= minutes; m++) {
    const wobble = 0.1 + 0.01 * ((m * 7) % 5);
    rows.push({ at: m * MINUTE, cpuMillis: 5, cpuRate: 25, memoryMiB: 16, memoryRate: 12.5, clientP99: raised.has(m) ? level : wobble, serverP99: wobble, nodeSignature: 'n' });
  }
  return { pod: name, rows };
}

describe('the reach rule', () => {
  it('puts the threshold k robust deviations above the median, floored by a share of the median', () => {
    assert.equal(robustThreshold([1, 1, 1, 1], 8, 0.2), 1 + 8 * 0.2);
    assert.ok(robustThreshold([1, 2, 3, 4, 100], 8, 0) > 3);
  });

  it('flags a pod raised in two rows after the injection, not one raised in one, and never the faulty pod', () => {
    const injectedAt = 40 * MINUTE + 10_000;
    const day = [pod('caller', 60, new Set([41, 42])), pod('blip', 60, new Set([41])), pod('faulty', 60, new Set([41, 42, 43]))];
    const reached = reachedPods(day, 'faulty', injectedAt, [injectedAt]);
    assert.deepEqual(reached.map((r) => r.pod), ['caller']);
    assert.equal(reached[0].flags[0].signal, 'clientP99');
    assert.equal(reached[0].flags[0].at, 41 * MINUTE);
  });

  it('builds the baseline from fault-free rows before the injection, skipping other faults’ effect', () => {
    const series = pod('x', 60);
    const earlier = 30 * MINUTE;
    const rows = baselineRows(series.rows, 40 * MINUTE, [earlier, 40 * MINUTE], REACH_RULE);
    assert.equal(rows.length, REACH_RULE.baselineRows);
    assert.ok(rows.every((r) => r.at <= 40 * MINUTE && !(r.at > earlier && r.at <= earlier + REACH_RULE.effectMs)));
  });

  it('counts no false flag on quiet minutes, and one per pseudo-injection that hits a sustained rise', () => {
    const quiet = countFalseFlags([pod('a', 200), pod('b', 200)], [10 * MINUTE]);
    assert.ok(quiet.pseudoInjections > 0);
    assert.equal(quiet.flagged, 0);
    assert.equal(quiet.checks, quiet.pseudoInjections * 2);
    const noisy = countFalseFlags([pod('a', 200, new Set([101, 102])), pod('b', 200)], [10 * MINUTE]);
    assert.equal(noisy.flagged, 1);
  });

  it('reports a reached pod as an anomaly opening at its first flagged row, after the injection', () => {
    const injectedAt = 40 * MINUTE + 10_000;
    const day = [pod('caller-1-2', 60, new Set([41, 42]))];
    const fault = { faultId: 'd#01', day: 'd', pod: 'faulty-1-2', type: 'network_delay' as const, injectedAt };
    const [open, resolved] = reachAnomalies(fault, reachedPods(day, fault.pod, injectedAt, [injectedAt]));
    assert.equal(open.anomalyType, 'latency');
    assert.ok(open.detectedAt > injectedAt);
    assert.equal(resolved.detectedAt, 43 * MINUTE);
  });
});

const fault = (faultId: string, reached: string[]): ScoredFault => ({ faultId, vmId: 'f', candidates: ['a', 'b', 'c', 'd'], reached: new Set(reached) });

describe('reach scoring', () => {
  it('gives a perfect ranking AUPRC 1 with a tight interval, and a reversed one much less', () => {
    const faults = [fault('1', ['a']), fault('2', ['a', 'b'])];
    const perfect = auprcWithInterval(faults, (f) => new Map([...f.reached].map((vm) => [vm, 1])), false, { replicates: 50, seed: 1, draws: 1 });
    assert.deepEqual(perfect, { auprc: 1, lo: 1, hi: 1 });
    const reversed = pooledAuprc(faults, () => new Map([['c', 1], ['d', 0.9], ['b', 0.5], ['a', 0.1]]), new SeededRandom(1));
    assert.ok(reversed !== null && reversed < 0.6);
  });

  it('averages random near the prevalence', () => {
    const faults = Array.from({ length: 40 }, (_, i) => fault(String(i), ['a']));
    const r = auprcWithInterval(faults, randomScores, true, { replicates: 20, seed: 3, draws: 50 });
    assert.ok(r.auprc !== null && r.auprc > 0.25 && r.auprc < 0.45, `random AUPRC ${r.auprc}`);
  });

  it('ranks direct callers first and transitive callers by hops', () => {
    const calls = new Map([['front', new Set(['checkout'])], ['checkout', new Set(['f'])], ['other', new Set(['front'])]]);
    assert.deepEqual([...callerDistances(calls, 'f')], [['checkout', 1], ['front', 2], ['other', 3]]);
    const f = fault('1', []);
    assert.deepEqual([...directCallers(() => calls)(f, new SeededRandom(1))], [['checkout', 1]]);
    assert.equal(transitiveCallers(() => calls)(f, new SeededRandom(1)).get('front'), 0.5);
  });

  it('takes as a fault’s first assessment the first OPEN risk naming its VM and onset', () => {
    const label = { vmId: 'f', injectedAt: 5 } as FaultLabel;
    const risk = (version: number, status: 'OPEN' | 'CLOSED', vmId: string, onsetAt: number): RiskAssessment => ({ version, status, sources: [{ vmId, onsetAt }] }) as unknown as RiskAssessment;
    const risks = [risk(1, 'OPEN', 'g', 5), risk(1, 'CLOSED', 'f', 5), risk(2, 'OPEN', 'f', 5), risk(3, 'OPEN', 'f', 5)];
    assert.equal(firstAssessmentOf(label, risks)?.version, 2);
  });
});
