import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AllocationCommand, RiskAssessment } from '@foresight/contracts';
import { replayRecording } from '../src/index.js';

const example = new URL('../../../../examples/replay/small.ndjson', import.meta.url);

// Issue 14: api-1 is granted at risk version 1; at version 2 it is itself anomalous (a source) and must keep its grant.
describe('replay of small.ndjson: a grant that arrived in time is not taken back at the moment of impact', () => {
  it('keeps api-1\'s lease when api-1 becomes a source, and releases it only later (expiry, recovery or close)', async () => {
    const out = await replayRecording(readFileSync(example, 'utf8').split('\n'));
    const risks = out.flatMap((l) => (l.topic === 'risk' ? [l.message as RiskAssessment] : []));
    const commands = out.flatMap((l) => (l.topic === 'allocations' ? [l.message as AllocationCommand] : []));
    const becameSource = risks.find((r) => r.sources.some((s) => s.vmId === 'api-1'));
    assert.ok(becameSource !== undefined, 'api-1 becomes a source of the incident');
    const api1 = commands.filter((c) => c.vmId === 'api-1' && c.incidentId === becameSource.incidentId);
    const grant = api1.find((c) => c.action === 'GRANT');
    assert.ok(grant !== undefined && grant.eventTime < becameSource.eventTime, 'api-1 was granted before it turned anomalous');
    assert.deepEqual(api1.filter((c) => c.action === 'RELEASE' && c.eventTime <= becameSource.eventTime), [], 'no RELEASE of api-1 when it becomes a source');
    assert.ok(!api1.some((c) => c.reason.why === 'handed_over'), 'the default keeps the lease (no handover)');
    const release = api1.find((c) => c.action === 'RELEASE');
    assert.ok(release !== undefined, 'the lease does end');
    assert.ok(['lease_expired', 'not_at_risk', 'incident_closed'].includes(release.reason.why), `released as ${release.reason.why}`);
  });
});
