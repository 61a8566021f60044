import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnomalyEvent, FlowEvent } from '@foresight/contracts';
import { FAULT_ANOMALY_TYPES, faultAnomalies } from '../../src/nezha/fault-anomalies.js';
import { parseFaultList } from '../../src/nezha/fault-list.js';
import { dayTopology, inferNodes, summarisePod } from '../../src/nezha/fleet-inventory.js';
import { PodMetricParser, type PodMetricRow } from '../../src/nezha/pod-metrics.js';
import { serviceOfPod, vmIdOf } from '../../src/nezha/pod-names.js';
import { inEventTimeOrder, type ImportLine } from '../../src/nezha/replay-order.js';
import { holdThroughGaps, pathwayFlow, quantile, SpanPathways } from '../../src/nezha/span-pathways.js';
import { TraceSpanParser, type TraceSpan } from '../../src/nezha/trace-spans.js';

const METRIC_HEADER = 'Time,TimeStamp,PodName,CpuUsage(m),CpuUsageRate(%),MemoryUsage(Mi),MemoryUsageRate(%),SyscallRead,SyscallWrite,NetworkReceiveBytes,NetworkTransmitBytes,'
  + 'PodClientLatencyP90(s),PodServerLatencyP90(s),PodClientLatencyP95(s),PodServerLatencyP95(s),PodClientLatencyP99(s),PodServerLatencyP99(s),PodWorkload(Ops),'
  + 'PodSuccessRate(%),NodeCpuUsageRate(%),NodeMemoryUsageRate(%),NodeNetworkReceiveBytes';

function metricLine(at: number, cpu: number, cpuRate: number, mem: number, memRate: number, serverP99: string, node: string): string {
  return `t,${at},pod,${cpu},${cpuRate},${mem},${memRate},0,0,0,0,0,0,0,0,0.1,${serverP99},9,0,${node},1,2`;
}

const row = (at: number, node: string, cpu = 5, cpuRate = 25): PodMetricRow => ({
  at, cpuMillis: cpu, cpuRate, memoryMiB: 16, memoryRate: 12.5, clientP99: 0.1, serverP99: 0.2, nodeSignature: node,
});

describe('Nezha fault list', () => {
  it('reads faults of every hour in injection order, with ids by day and epoch milliseconds', () => {
    const text = JSON.stringify({
      '05': [{ inject_time: 'x', inject_timestamp: '1661144473', inject_pod: 'checkoutservice-578fcf4766-9csqn', inject_type: 'exception' }],
      '04': [{ inject_time: 'x', inject_timestamp: '1661140927', inject_pod: 'frontend-579b9bff58-t2dbm', inject_type: 'return' }],
    });
    const faults = parseFaultList(text, '2022-08-22');
    assert.deepEqual(faults.map((f) => [f.faultId, f.pod, f.type, f.injectedAt]), [
      ['2022-08-22#01', 'frontend-579b9bff58-t2dbm', 'return', 1661140927000],
      ['2022-08-22#02', 'checkoutservice-578fcf4766-9csqn', 'exception', 1661144473000],
    ]);
  });

  it('refuses an unknown fault type with a stable code', () => {
    const text = JSON.stringify({ '04': [{ inject_timestamp: '1', inject_pod: 'p', inject_type: 'disk_fill' }] });
    assert.throws(() => parseFaultList(text, 'd'), (e: Error & { code?: string }) => e.code === 'NEZHA_DATA_INVALID');
  });
});

describe('Nezha pods and their metrics', () => {
  it('name the service of a pod by dropping the replica-set and pod hashes', () => {
    assert.equal(serviceOfPod('productcatalogservice-668d5f85fb-wckp8'), 'productcatalogservice');
    assert.equal(serviceOfPod('redis-cart'), 'redis-cart');
    assert.notEqual(vmIdOf('2022-08-22', 'a-b-c'), vmIdOf('2022-08-23', 'a-b-c'));
  });

  it('parse a metric row, NaN latency of a minute without calls included, and refuse a broken number', () => {
    const parser = new PodMetricParser(METRIC_HEADER, 'm.csv');
    const r = parser.parse(metricLine(1661140339, 5.7, 28.6, 15.8, 12.3, 'NaN', '2.7'), 2);
    assert.ok(r !== undefined);
    assert.equal(r.at, 1661140339000);
    assert.ok(Number.isNaN(r.serverP99));
    assert.equal(r.clientP99, 0.1);
    assert.throws(() => parser.parse(metricLine(1, Number.NaN, 1, 1, 1, '1', '1'), 3), /CpuUsage/);
    assert.throws(() => new PodMetricParser('Time,TimeStamp', 'm.csv'), /no column/);
  });

  it('take a pod capacity from usage and rate (CPU rate per mille, memory in percent)', () => {
    const s = summarisePod('frontend-1-2', [row(1, 'a', 5, 25), row(2, 'a', 6, 30), row(3, 'a', 100, 500)]);
    assert.equal(s.cpuMillis, 200);
    assert.equal(s.memoryMiB, 128);
  });

  it('put pods with the same node readings on one host, and others apart', () => {
    const a = summarisePod('a-1-1', [row(1, 'n1'), row(2, 'n1b')]);
    const b = summarisePod('b-1-1', [row(1, 'n1'), row(2, 'n1b')]);
    const c = summarisePod('c-1-1', [row(1, 'n2'), row(2, 'n2b')]);
    assert.deepEqual(inferNodes([c, b, a]), [['a-1-1', 'b-1-1'], ['c-1-1']]);
    const { hosts, inventory } = dayTopology('d', [a, b, c], 7);
    assert.equal(hosts.length, 2);
    assert.equal(inventory.length, 3);
    assert.equal(inventory[0].hostId, inventory[1].hostId);
    assert.notEqual(inventory[0].hostId, inventory[2].hostId);
    assert.equal(inventory[0].groupId, 'a');
    assert.ok(hosts[0].capacity.cpuMillis > inventory[0].capacity.cpuMillis + inventory[1].capacity.cpuMillis);
  });
});

const span = (spanId: string, parentId: string, pod: string, startMs: number, durationMs: number): TraceSpan => ({ spanId, parentId, pod, startMs, durationMs });

describe('Nezha spans as pathways', () => {
  it('parse a span row (nanosecond start, microsecond duration)', () => {
    const parser = new TraceSpanParser('TraceID,SpanID,ParentID,PodName,OperationName,StartTimeUnixNano,EndTimeUnixNano,Duration', 't.csv');
    const s = parser.parse('t1,s1,root,frontend-1-2,op,1661140374351773094,1661140374362982609,11209', 2);
    assert.ok(s !== undefined);
    assert.equal(s.parentId, 'root');
    assert.ok(Math.abs(s.startMs - 1661140374351.773) < 1);
    assert.equal(s.durationMs, 11.209);
  });

  it('count a call where a span’s parent ran on another pod, with the parent (client) duration as latency', () => {
    const pathways = new SpanPathways();
    const windows = pathways.addFile([
      span('root', 'root', 'front', 0, 50),
      span('c1', 'root', 'front', 1, 10), span('s1', 'c1', 'cart', 2, 4),
      span('c2', 'root', 'front', 3, 30), span('s2', 'c2', 'cart', 4, 20),
      span('inner', 's2', 'cart', 5, 1),
      span('late', 'nowhere', 'cart', 60_000, 1),
    ]);
    assert.equal(windows.length, 1);
    const [w] = windows;
    assert.deepEqual([w.caller, w.callee, [...w.durationsMs]], ['front', 'cart', [10, 30]]);
    const flow: FlowEvent = pathwayFlow(w, (p) => `${p}@d`);
    assert.equal(flow.source, 'front@d');
    assert.equal(flow.kind, 'API_CALL');
    assert.equal(flow.latencyP50Ms, 10);
    assert.equal(flow.latencyP99Ms, 30);
    assert.ok(Math.abs(flow.callsPerSec - 2 / 60) < 1e-9);
  });

  it('find a parent in the previous file, but not two files back', () => {
    const pathways = new SpanPathways();
    pathways.addFile([span('p', 'root', 'front', 0, 7)]);
    assert.equal(pathways.addFile([span('x', 'p', 'cart', 61_000, 1)]).length, 1);
    assert.equal(pathways.addFile([span('y', 'p', 'cart', 122_000, 1)]).length, 0);
  });

  it('take nearest-rank quantiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(quantile(values, 0.5), 50);
    assert.equal(quantile(values, 0.99), 99);
    assert.equal(quantile([], 0.5), 0);
  });

  it('hold a pathway’s last window through a gap, until it is seen again', () => {
    const flow = (t: number): FlowEvent => ({
      eventId: `f${t}`, eventTime: t, source: 'a', target: 'b', kind: 'API_CALL', windowStart: t - 60, windowEnd: t,
      bandwidthMbps: 0, callsPerSec: 1, latencyP50Ms: 1, latencyP99Ms: 2, errorRate: 0,
    });
    const held = holdThroughGaps([flow(0), flow(1000)], 300, 1500);
    assert.deepEqual(held.map((f) => f.eventTime), [300, 600, 900, 1300]);
    assert.ok(held.every((f) => f.eventId.startsWith('flow-held-') && f.windowEnd - f.windowStart === 60));
  });
});

describe('Nezha faults as anomalies', () => {
  it('report a fault OPEN at injection and RESOLVED after the duration, typed by the mapping', () => {
    const [open, resolved] = faultAnomalies({ faultId: 'd#01', day: 'd', pod: 'cart-1-2', type: 'network_delay', injectedAt: 1000 }, 300);
    assert.equal(open.state, 'OPEN');
    assert.equal(open.detectedAt, 1000);
    assert.equal(resolved.state, 'RESOLVED');
    assert.equal(resolved.detectedAt, 1300);
    assert.equal(open.anomalyType, 'latency');
    assert.equal(open.subjectId, vmIdOf('d', 'cart-1-2'));
    assert.equal(FAULT_ANOMALY_TYPES.cpu_consumed, 'cpu_saturation');
    assert.equal(FAULT_ANOMALY_TYPES.exception, 'error_rate');
  });

  it('order lines by event time, topology before an anomaly of the same time', () => {
    const anomaly = (at: number): ImportLine => ({ topic: 'anomalies', message: { eventTime: at, detectedAt: at } as AnomalyEvent });
    const flow = (at: number): ImportLine => ({ topic: 'flows', message: { eventTime: at } as FlowEvent });
    const ordered = inEventTimeOrder([anomaly(5), flow(5), flow(9), anomaly(1)]);
    assert.deepEqual(ordered.map((l) => `${l.topic}@${l.message.eventTime}`), ['anomalies@1', 'flows@5', 'anomalies@5', 'flows@9']);
  });
});
