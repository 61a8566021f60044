import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDENTITY_PRESETS, peerOf, resolveIdentity, type AttributeLookup } from '../../src/telemetry/identity-precedence.js';
import { LatencySample } from '../../src/telemetry/latency-sample.js';

function lookup(attributes: Record<string, string>): AttributeLookup {
  return (key) => attributes[key];
}

test('pods: the pod uid is the VM before service.instance.id, the node its host, service.name its group', () => {
  const attributes = {
    'k8s.pod.uid': 'uid-1', 'service.instance.id': 'inst-1', 'k8s.node.name': 'node-1', 'host.id': 'h-1',
    'service.name': 'cart', 'service.namespace': 'shop', 'deployment.environment.name': 'prod',
  };
  assert.deepEqual(resolveIdentity(lookup(attributes), IDENTITY_PRESETS.pods), {
    identity: { vmId: 'uid-1', hostId: 'node-1', groupId: 'cart', systemId: 'shop', virtual: false },
  });
  const { 'k8s.pod.uid': _uid, 'k8s.node.name': _node, 'service.namespace': _ns, ...rest } = attributes;
  assert.deepEqual(resolveIdentity(lookup(rest), IDENTITY_PRESETS.pods), {
    identity: { vmId: 'inst-1', hostId: 'h-1', groupId: 'cart', systemId: 'prod', virtual: false },
  });
});

test('VM fleets: host.id before host.name; without a host attribute the VM is its own host, without a system the default', () => {
  assert.deepEqual(resolveIdentity(lookup({ 'host.name': 'vm-a', 'host.id': 'i-123', 'service.name': 'api' }), IDENTITY_PRESETS.vms), {
    identity: { vmId: 'i-123', hostId: 'i-123', groupId: 'api', systemId: 'default', virtual: false },
  });
  assert.deepEqual(resolveIdentity(lookup({ 'host.name': 'vm-a', 'service.name': 'api' }), IDENTITY_PRESETS.vms), {
    identity: { vmId: 'vm-a', hostId: 'vm-a', groupId: 'api', systemId: 'default', virtual: false },
  });
});

test('a settable precedence: the first present attribute of each list wins; empty values count as absent', () => {
  const precedence = { ...IDENTITY_PRESETS.pods, vm: ['custom.vm', 'k8s.pod.uid'], system: ['team'], defaultSystem: 'none' };
  assert.deepEqual(resolveIdentity(lookup({ 'custom.vm': '', 'k8s.pod.uid': 'u', 'service.name': 's', team: 't' }), precedence), {
    identity: { vmId: 'u', hostId: 'u', groupId: 's', systemId: 't', virtual: false },
  });
});

test('a resource without a VM or a group attribute maps to nothing, with the reason', () => {
  assert.deepEqual(resolveIdentity(lookup({ 'service.name': 'cart' }), IDENTITY_PRESETS.pods), { skipped: 'NO_VM_ATTRIBUTE' });
  assert.deepEqual(resolveIdentity(lookup({ 'k8s.pod.uid': 'u' }), IDENTITY_PRESETS.pods), { skipped: 'NO_GROUP_ATTRIBUTE' });
});

test('the peer of a span: service.peer.name before peer.service before db.*', () => {
  assert.equal(peerOf(lookup({ 'db.system': 'redis', 'peer.service': 'cache', 'service.peer.name': 'cache-v2' })), 'cache-v2');
  assert.equal(peerOf(lookup({ 'db.system': 'redis', 'peer.service': 'cache' })), 'cache');
  assert.equal(peerOf(lookup({ 'db.system': 'postgresql', 'db.namespace': 'orders' })), 'orders');
  assert.equal(peerOf(lookup({ 'http.url': 'x' })), undefined);
});

test('the latency sample stays bounded and keeps an evenly spread sample with an exact count', () => {
  const sample = new LatencySample(64);
  for (let i = 1; i <= 10_000; i += 1) sample.add(i);
  assert.equal(sample.count, 10_000);
  const [p50, p99] = sample.quantiles([0.5, 0.99]);
  assert.ok(Math.abs(p50 - 5_000) < 400, `p50 ${p50}`);
  assert.ok(Math.abs(p99 - 9_900) < 400, `p99 ${p99}`);
  assert.ok((sample as unknown as { values: number[] }).values.length <= 64);
});
