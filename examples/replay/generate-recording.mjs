#!/usr/bin/env node
// Writes a simulated fleet as a replay recording (NDJSON), to measure `foresight replay` on a large input:
//   node examples/replay/generate-recording.mjs --vms 2000 --duration 4h --out /tmp/fleet.ndjson
// Inventory and hosts at the start, a flow window per pathway every 10 min, every reported anomaly (fleetRecording).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { fleetRecording } from '@foresight/app';
import { parseDuration } from '@foresight/service-kit';

const { values } = parseArgs({ options: { vms: { type: 'string', default: '2000' }, duration: { type: 'string', default: '1h' }, seed: { type: 'string', default: '1' }, out: { type: 'string' } } });
const durationMs = parseDuration(values.duration);
if (values.out === undefined || durationMs === undefined) {
  process.stderr.write('usage: generate-recording.mjs [--vms N] [--duration 1h] [--seed S] --out FILE\n');
  process.exit(2);
}
const sink = createWriteStream(values.out);
let lines = 0;
for (const line of fleetRecording({ vms: Number(values.vms), durationMs, seed: Number(values.seed) })) {
  lines++;
  if (!sink.write(`${line}\n`)) await once(sink, 'drain');
}
sink.end();
await once(sink, 'finish');
process.stderr.write(`${lines} lines written to ${values.out}\n`);
