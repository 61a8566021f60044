import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultModel, type PathwayKind } from '@foresight/core';
import {
  DEFAULT_DETECTION_NOISE, flowEvents, generateIncidents, generateTopology, isHeldOut, meanBranching, trueParameters, worldFamily, WORLD_FAMILY_NAMES, WORLD_SPLITS,
  type WorldFamily, type World,
} from '../src/index.js';

const VMS = 300;
const families = new Map(WORLD_FAMILY_NAMES.map((name) => [name, worldFamily(name, { vms: VMS, seed: 1 })]));
const family = (name: (typeof WORLD_FAMILY_NAMES)[number]): WorldFamily => families.get(name)!;
const perVm = (world: World, kind: PathwayKind): number => world.pathways.filter((p) => p.kind === kind).length / world.vms.length;
const vmsPerHost = (world: World): number => world.vms.length / new Set(world.vms.map((vm) => vm.hostId)).size;

test('every family is deterministic per seed and differs across seeds', () => {
  for (const name of WORLD_FAMILY_NAMES) {
    const again = worldFamily(name, { vms: VMS, seed: 1 });
    const a = family(name);
    assert.deepEqual(again.world.vms, a.world.vms, name);
    assert.deepEqual(again.world.pathways, a.world.pathways, name);
    assert.deepEqual(again.truth, a.truth, name);
    assert.deepEqual(again.telemetry, a.telemetry, name);
    const other = worldFamily(name, { vms: VMS, seed: 2 });
    assert.notDeepEqual(other.world.pathways, a.world.pathways, name);
    assert.equal(a.world.vms.length, VMS, name);
  }
});

test('tiered is exactly the default world of the seed', () => {
  const world = generateTopology({ vms: VMS, seed: 1 });
  assert.deepEqual(family('tiered').world, world);
  assert.deepEqual(family('tiered').truth, trueParameters(world.vms, 1));
  assert.deepEqual(family('tiered').telemetry, {});
});

test('every family stays subcritical: a few affected VMs per incident, as in tiered', () => {
  for (const name of WORLD_FAMILY_NAMES) {
    const { world, truth } = family(name);
    const incidents = generateIncidents(world, truth, { count: 120, seed: 1 });
    const mean = incidents.reduce((s, i) => s + i.affected.length, 0) / incidents.length;
    assert.ok(mean >= 1.1 && mean <= 5, `${name}: ${mean} affected VMs per incident`);
  }
});

test('colocated packs several times more VMs per host, and most downstream infections travel by co-location', () => {
  assert.ok(vmsPerHost(family('colocated').world) >= 3 * vmsPerHost(family('tiered').world));
  const coLocatedShare = (f: WorldFamily): number => {
    const hops = generateIncidents(f.world, f.truth, { count: 200, seed: 3 }).flatMap((i) => i.affected.filter((a) => a.via !== undefined));
    return hops.filter((a) => a.via!.kind === 'CO_LOCATED').length / hops.length;
  };
  const [dense, tiered] = [coLocatedShare(family('colocated')), coLocatedShare(family('tiered'))];
  assert.ok(dense > 0.5 && dense > tiered + 0.2, `co-located share of infections ${dense} vs tiered ${tiered}`);
});

test('storage puts every VM in a large pool and makes disk I/O the commonest type', () => {
  const { world, truth } = family('storage');
  assert.ok(perVm(world, 'SHARED_STORAGE') >= 3 * perVm(family('tiered').world, 'SHARED_STORAGE'));
  const pooled = new Set(world.pathways.filter((p) => p.kind === 'SHARED_STORAGE').flatMap((p) => [p.source, p.target]));
  assert.ok(pooled.size >= 0.95 * world.vms.length, `${pooled.size} pooled VMs`);
  const top = Object.entries(truth.typeMix).sort((a, b) => b[1] - a[1])[0][0];
  assert.equal(top, 'disk_io');
});

test('mesh has many more flows and cross-system calls than tiered', () => {
  const mesh = family('mesh').world;
  const tiered = family('tiered').world;
  assert.ok(perVm(mesh, 'NETWORK') >= 3 * perVm(tiered, 'NETWORK'));
  const crossSystem = (w: World): number => {
    const system = new Map(w.vms.map((vm) => [vm.id, vm.systemId]));
    return w.pathways.filter((p) => p.kind === 'API_CALL' && system.get(p.source) !== system.get(p.target)).length / w.vms.length;
  };
  assert.ok(crossSystem(mesh) >= 3 * crossSystem(tiered), `${crossSystem(mesh)} vs ${crossSystem(tiered)} cross-system calls per VM`);
});

test('sparse monitoring sees fewer pathways in one noisy window and misses more anomalies, detecting them later', () => {
  const { world, truth, telemetry } = family('sparse');
  const seen = (t: WorldFamily['telemetry']): number => new Set(flowEvents(world, { seed: 1, until: 0, ...t }).map((f) => `${f.source}>${f.target}>${f.kind}`)).size;
  assert.ok(seen(telemetry) <= 0.8 * seen({}), `${seen(telemetry)} vs ${seen({})} pathways observed`);
  assert.equal(flowEvents(world, { seed: 1, until: 0, ...telemetry }).length, seen(telemetry), 'one window');
  assert.ok(truth.detection.missProbability >= 3 * DEFAULT_DETECTION_NOISE.missProbability);
  assert.ok(truth.detection.minDelayMs + truth.detection.meanExtraDelayMs > DEFAULT_DETECTION_NOISE.minDelayMs + DEFAULT_DETECTION_NOISE.meanExtraDelayMs);
});

test('broad priors draw null and opposite-sign slopes across seeds, delays of 5–60 s, and subcritical branching', () => {
  const assumed = defaultModel().types;
  let opposite = 0;
  let nulled = 0;
  let unmodelled = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const { world, truth } = seed === 1 ? family('broad-priors') : worldFamily('broad-priors', { vms: VMS, seed });
    for (const [type, params] of Object.entries(truth.types)) {
      for (const [kind, table] of Object.entries(params.carriers)) {
        for (const direction of ['forward', 'reverse'] as const) {
          const carrier = table?.[direction];
          if (carrier === undefined) continue;
          assert.ok(carrier.delayMs >= 5_000 && carrier.delayMs <= 60_000, `${type} ${kind} delay ${carrier.delayMs}`);
          const prior = assumed[type].carriers[kind as PathwayKind]?.[direction];
          if (prior === undefined) {
            unmodelled++;
            continue;
          }
          for (let i = 1; i < 6; i++) {
            if (prior.weights[i] > 0 && carrier.weights[i] < 0) opposite++;
            if (prior.weights[i] > 0 && carrier.weights[i] === 0) nulled++;
          }
        }
      }
      const r = meanBranching(world, truth, type);
      assert.ok(r >= 0.15 - 1e-3 && r <= 0.6 + 1e-3, `seed ${seed} ${type}: branching ${r}`);
    }
  }
  assert.ok(opposite >= 1, 'no opposite-sign slope in five seeds');
  assert.ok(nulled >= 1, 'no null slope where the default model assumes one');
  assert.ok(unmodelled >= 1, 'no carrier the default model lacks');
});

test('platform services are called by more VMs than any service of tiered (the gap grows with the fleet)', () => {
  const callers = (w: World, prefix?: string): number => {
    const byGroup = new Map<string, Set<string>>();
    const group = new Map(w.vms.map((vm) => [vm.id, vm.groupId]));
    for (const p of w.pathways) {
      if (p.kind !== 'API_CALL') continue;
      const g = group.get(p.target)!;
      if (prefix !== undefined && !g.startsWith(prefix)) continue;
      if (!byGroup.has(g)) byGroup.set(g, new Set());
      byGroup.get(g)!.add(p.source);
    }
    return Math.max(...[...byGroup.values()].map((s) => s.size));
  };
  assert.ok(callers(family('platform').world, 'platform-') >= 2 * callers(family('tiered').world));
});

test('the tuning and held-out worlds are disjoint and every held-out world is flagged', () => {
  const key = (s: { family: string; seed: number }): string => `${s.family}@${s.seed}`;
  const tuning = new Set(WORLD_SPLITS.tuning.map(key));
  assert.ok(WORLD_SPLITS['held-out'].every((s) => !tuning.has(key(s)) && isHeldOut(s)));
  assert.ok(WORLD_SPLITS.tuning.every((s) => !isHeldOut(s)));
  for (const name of WORLD_FAMILY_NAMES.filter((f) => f !== 'platform')) assert.ok(WORLD_SPLITS.tuning.some((s) => s.family === name), name);
  assert.ok(!WORLD_SPLITS.tuning.some((s) => s.family === 'platform'));
});
