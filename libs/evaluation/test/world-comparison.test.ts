import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { worldFamily, WORLD_FAMILY_NAMES, WORLD_SPLITS } from '@foresight/sim';
import { parseWorldList, resultJson, runEvaluation, summarise } from '../src/index.js';

const BIN = fileURLToPath(new URL('../bin/foresight-eval.js', import.meta.url));
const evalCli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 240_000 });

test('a world list names families at the seed, fixed splits, and family@seed; anything else is refused', () => {
  assert.deepEqual(parseWorldList('all', 3), WORLD_FAMILY_NAMES.map((family) => ({ family, seed: 3 })));
  assert.deepEqual(parseWorldList('tuning', 3), WORLD_SPLITS.tuning);
  assert.deepEqual(parseWorldList('mesh,storage@7,mesh@1', 1), [{ family: 'mesh', seed: 1 }, { family: 'storage', seed: 7 }]);
  for (const bad of ['meshy', 'mesh@0', 'mesh@x', 'mesh@1@2', 'tiered,,mesh', '']) assert.throws(() => parseWorldList(bad, 1), RangeError, bad);
});

test('the tiered family is exactly the default evaluation world', () => {
  const options = { incidents: 12, seed: 2, vms: 150, bootstrap: 10, monteCarloSamples: 100, oracleSamples: 300, ablations: false } as const;
  const plain = summarise(runEvaluation(options));
  const family = summarise(runEvaluation({ ...options, family: worldFamily('tiered', { vms: 150, seed: 2 }) }));
  assert.deepEqual(resultJson(family), resultJson(plain));
});

test('a perfect prediction at first detection cuts at least as much as the predictive policy and reactive, per incident', () => {
  const run = runEvaluation({
    incidents: 25, seed: 3, vms: 200, bootstrap: 10, monteCarloSamples: 100, oracleSamples: 300, ablations: false, family: worldFamily('colocated', { vms: 200, seed: 3 }),
  });
  let perfect = 0;
  let predictive = 0;
  for (const r of run.records) {
    const p = r.policies!;
    for (const other of ['reactive', 'predictive'] as const) {
      assert.ok(p['perfect-prediction'].degradedVmMinutes <= p[other].degradedVmMinutes + 1e-9, `incident ${r.index}: perfect vs ${other}`);
      assert.ok(p['perfect-prediction'].downstreamDegradedVmMinutes <= p[other].downstreamDegradedVmMinutes + 1e-9, `incident ${r.index}: perfect vs ${other} downstream`);
    }
    assert.equal(p['perfect-prediction'].wastedUnitMinutes, 0);
    perfect += p['perfect-prediction'].downstreamDegradedVmMinutes;
    predictive += p.predictive.downstreamDegradedVmMinutes;
  }
  assert.ok(perfect < predictive, `perfect ${perfect} vs predictive ${predictive} downstream VM-minutes`);
  const policies = summarise(run).policies;
  assert.ok(policies['perfect-prediction'].downstreamReductionVsReactive!.value >= policies.predictive.downstreamReductionVsReactive!.value);
});

test('foresight eval --worlds prints a table and a JSON line with every world field', () => {
  const r = evalCli('--worlds', 'tiered,colocated,storage,mesh,sparse,broad-priors', '--vms', '150', '--incidents', '20', '--bootstrap', '20', '--json');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.some((l) => l.startsWith('world ') && l.includes('AUPRC learned')), 'table header');
  const json = JSON.parse(lines.at(-1)!) as { worlds: Record<string, unknown>[]; summary: Record<string, unknown> };
  assert.deepEqual(json.worlds.map((w) => w['name']), ['tiered@1', 'colocated@1', 'storage@1', 'mesh@1', 'sparse@1', 'broad-priors@1']);
  const fields = [
    'auprcLearned', 'auprcFrozen', 'auprcObservableCeiling', 'auprcOracle', 'captureOfPerfectPrediction', 'protectedBeforeOnset', 'wastedShare',
    'auprcLearnedInterval', 'auprcFrozenInterval', 'learnedMinusFrozen', 'downstreamCut', 'perfectPredictionDownstreamCut',
  ];
  for (const w of json.worlds) {
    for (const field of fields) assert.ok(field in w, `${String(w['name'])}.${field}`);
    assert.equal(w['incidents'], 20);
    assert.equal((w['fleet'] as { vms: number }).vms, 150);
    assert.equal(w['heldOut'], false);
    const auprc = w['auprcLearned'] as number;
    const [lo, hi] = w['auprcLearnedInterval'] as [number, number];
    assert.ok(lo <= auprc && auprc <= hi, `${String(w['name'])}: ${auprc} in [${lo}, ${hi}]`);
  }
  for (const key of ['minLearnedMinusFrozen', 'meanLearnedMinusFrozen']) assert.equal(typeof json.summary[key], 'number', key);
});

test('foresight eval --worlds refuses an unknown world, --seed with a split, and the single-world knobs', () => {
  const cases: [string[], RegExp][] = [
    [['--worlds', 'moon'], /unknown world 'moon'/],
    [['--worlds', 'tuning', '--seed', '3'], /--seed does not apply to tuning or held-out/],
    [['--worlds', 'all', '--reach', '1'], /--reach does not apply with --worlds/],
    [['--worlds', 'mesh', '--no-ablations'], /--no-ablations does not apply with --worlds/],
  ];
  for (const [args, message] of cases) {
    const r = evalCli(...args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
  }
});
