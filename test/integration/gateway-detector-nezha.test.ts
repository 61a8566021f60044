// Issue 17: the gateway's built-in anomaly detector on real spans. The Nezha Online Boutique spans (../shared/data),
// converted to OTLP as in telemetry-gateway-nezha.test.ts, run through an in-process gateway with the detector on
// (10 s windows). Measured (docs/ingestion.md, 'The built-in anomaly detector'): its false opens on the windows
// outside every injected fault's effect (injection, injection + 7 min] — the rule the Nezha reach labels use — and
// its detection rate and delay on the injected pods. It needs no stack: the gateway publishes to a recording bus.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { AnomalyEvent, FlowEvent } from '@foresight/contracts';
import { DEFAULT_DETECTOR_SETTINGS, IDENTITY_PRESETS } from '@foresight/core';
import { encodeTraceRequest } from '@foresight/otlp';
import { DEFAULT_GATEWAY_SETTINGS, TelemetryGateway } from '@foresight/telemetry-gateway';
import { nezhaDayAsOtlp, nezhaDays } from './fixtures/nezha-otlp.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DATA = process.env.FORESIGHT_NEZHA_DIR ?? join(ROOT, '..', 'shared', 'data', 'nezha-online-boutique');
const WINDOW_MS = 10_000;
const EFFECT_MS = 7 * 60_000;
const DETECT_WITHIN_MS = 5 * 60_000;

interface Fault { readonly at: number; readonly vmId: string; readonly type: string }

function faultsOf(day: string): Fault[] {
  const list = JSON.parse(readFileSync(join(DATA, 'rca_data', day, `${day}-fault_list.json`), 'utf8')) as Record<string, { inject_timestamp: string; inject_pod: string; inject_type: string }[]>;
  return Object.values(list).flat().map((f) => ({ at: Number(f.inject_timestamp) * 1000, vmId: `${f.inject_pod}@${day}`, type: f.inject_type }));
}

test('the built-in detector on the Nezha spans: few false opens outside the fault windows, and its detections of the injected pods', { timeout: 300_000 }, async (t) => {
  const flows: FlowEvent[] = [];
  const anomalies: AnomalyEvent[] = [];
  const faults: Fault[] = [];
  for (const day of await nezhaDays(DATA)) {
    faults.push(...faultsOf(day));
    const gateway = new TelemetryGateway({
      bus: {
        publish: (topic, messages) => {
          if (topic === 'flows') flows.push(...(messages as readonly FlowEvent[]));
          if (topic === 'anomalies') anomalies.push(...(messages as readonly AnomalyEvent[]));
          return Promise.resolve();
        },
      },
      deadLetter: (letter) => Promise.reject(new Error(`dead letter: ${letter.reason}`)),
      settings: {
        ...DEFAULT_GATEWAY_SETTINGS, identity: IDENTITY_PRESETS.pods, detector: DEFAULT_DETECTOR_SETTINGS,
        pathways: { ...DEFAULT_GATEWAY_SETTINGS.pathways, windowMs: WINDOW_MS, pairingWaitMs: 120_000 },
      },
    });
    for (const request of (await nezhaDayAsOtlp(DATA, day)).requests) {
      assert.equal((await gateway.acceptTraces(encodeTraceRequest(request, 'otlp_proto'), 'otlp_proto', { transport: 'kafka' })).outcome, 'accepted');
    }
    await gateway.flush();
  }
  const quiet = (at: number): boolean => !faults.some((f) => at > f.at && at <= f.at + EFFECT_MS);
  const judged = flows.filter((f) => f.callsPerSec * (WINDOW_MS / 1000) >= DEFAULT_DETECTOR_SETTINGS.minCalls);
  const quietWindows = judged.filter((f) => quiet(f.windowEnd)).length;
  const opens = anomalies.filter((a) => a.level === 'COMPONENT' && a.state === 'OPEN');
  const falseOpens = opens.filter((a) => quiet(a.eventTime));
  const detections = faults.map((f) => {
    const hit = opens.find((a) => a.subjectId === f.vmId && a.eventTime > f.at && a.eventTime <= f.at + DETECT_WITHIN_MS);
    return { ...f, delayMs: hit === undefined ? undefined : hit.eventTime - f.at, kind: hit?.anomalyType };
  });
  const detected = detections.filter((d) => d.delayMs !== undefined);
  const delays = detected.map((d) => d.delayMs ?? 0).sort((a, b) => a - b);
  const byType = new Map<string, [number, number]>();
  for (const d of detections) {
    const [hit, all] = byType.get(d.type) ?? [0, 0];
    byType.set(d.type, [hit + (d.delayMs === undefined ? 0 : 1), all + 1]);
  }
  t.diagnostic(`pathway windows judged: ${judged.length}, quiet: ${quietWindows}; component opens: ${opens.length}, in quiet windows: ${falseOpens.length} `
    + `(${falseOpens.map((a) => `${a.subjectId}/${a.anomalyType}`).join(', ')})`);
  t.diagnostic(`injected faults: ${faults.length}, injected pod opened within 5 min: ${detected.length}; delay median ${delays[delays.length >> 1] ?? '-'} ms, `
    + `max ${delays.at(-1) ?? '-'} ms; by type: ${[...byType].map(([k, [h, a]]) => `${k} ${h}/${a}`).join(', ')}`);
  t.diagnostic(`missed: ${detections.filter((d) => d.delayMs === undefined).map((d) => `${d.vmId.split('-')[0]}/${d.type}`).join(', ')}`);
  assert.ok(quietWindows > 100, `${quietWindows} quiet windows judged`);
  assert.ok(falseOpens.length / quietWindows < 0.01, `${falseOpens.length} false opens in ${quietWindows} quiet pathway windows`);
  assert.ok(detected.length >= faults.length / 4, `${detected.length} of ${faults.length} faults detected on their pod`);
});
