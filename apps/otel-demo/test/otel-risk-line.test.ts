import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AllocationCommand, AtRiskVm, RiskAssessment } from '@foresight/contracts';
import { OtelRiskLine } from '../src/otel-risk-line.js';

const atRisk = (vmId: string, probability: number, etaMs: number): AtRiskVm => ({ vmId, hostId: vmId, probability, etaMs, path: [], contributions: [] });
const risk = (incidentId: string, version: number, status: 'OPEN' | 'CLOSED', vms: AtRiskVm[]): RiskAssessment => ({ incidentId, version, status, atRisk: vms } as unknown as RiskAssessment);
const command = (commandId: string, action: 'GRANT' | 'RELEASE', vmId = 'otel-demo-frontend-vm'): AllocationCommand => ({ commandId, action, vmId } as unknown as AllocationCommand);

test('the live line shows the likeliest VM at risk over open incidents, by its label, with its eta, and the grants seen', () => {
  const line = new OtelRiskLine((vm) => vm.replace(/^otel-demo-(.*)-vm$/, '$1'));
  assert.equal(line.text(), 'at risk: none, grants: 0');
  line.observeRisk(risk('i1', 1, 'OPEN', [atRisk('otel-demo-frontend-vm', 0.4234, 11_600), atRisk('otel-demo-catalog-vm', 0.1, 3_000)]));
  line.observeCommand(command('c1', 'GRANT'));
  line.observeCommand(command('c1', 'GRANT'));
  line.observeCommand(command('c2', 'RELEASE'));
  assert.equal(line.text(), 'at risk: frontend p=0.42 eta 12s, grants: 1');
  // an older version arriving late does not replace the newer one
  line.observeRisk(risk('i1', 2, 'OPEN', [atRisk('otel-demo-frontend-vm', 0.9, 2_000)]));
  line.observeRisk(risk('i1', 1, 'OPEN', [atRisk('otel-demo-frontend-vm', 0.4, 11_600)]));
  assert.equal(line.text(), 'at risk: frontend p=0.90 eta 2s, grants: 1');
  line.observeRisk(risk('i1', 3, 'CLOSED', []));
  assert.equal(line.text(), 'at risk: none, grants: 1');
});

test('the demo ends when a caller of the faulty service is at risk in an open incident and granted, not before', () => {
  const line = new OtelRiskLine();
  const callers = ['otel-demo-cart-vm', 'otel-demo-catalog-vm'];
  line.observeRisk(risk('i1', 1, 'OPEN', [atRisk('otel-demo-cart-vm', 0.3, 5_000)]));
  assert.equal(line.grantedAtRisk(callers), undefined, 'at risk, no grant yet');
  line.observeCommand(command('c1', 'GRANT', 'otel-demo-frontend-vm'));
  assert.equal(line.grantedAtRisk(callers), undefined, 'a grant for a VM that is not a caller');
  line.observeCommand(command('c2', 'RELEASE', 'otel-demo-cart-vm'));
  assert.equal(line.grantedAtRisk(callers), undefined, 'a release is no grant');
  line.observeCommand(command('c3', 'GRANT', 'otel-demo-cart-vm'));
  assert.equal(line.grantedAtRisk(callers), 'otel-demo-cart-vm');
  line.observeRisk(risk('i1', 2, 'CLOSED', []));
  assert.equal(line.grantedAtRisk(callers), undefined, 'the incident closed: no longer at risk');
});
