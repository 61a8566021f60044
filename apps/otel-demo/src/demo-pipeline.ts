import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AllocationCommand, RiskAssessment } from '@foresight/contracts';
import { defaultModel, serialiseModel } from '@foresight/core';
import { consumerOf, KafkaBus } from '@foresight/messaging';
import { OtelRiskLine } from './otel-risk-line.js';

/** The model version the demo publishes: the default grants above 0.3, which a 4-service shop does not reach. */
export const DEMO_GRANT_THRESHOLD = 0.02;
const SERVICES = ['topology-builder', 'propagation-scorer', 'allocator', 'telemetry-gateway'] as const;
const mainOf = (service: string): string => fileURLToPath(new URL(`../../../../services/${service}/dist/src/main.js`, import.meta.url));

export interface PipelineSettings {
  /** This run's own names: topic prefix `<runId>.`, Neo4j namespace and Redis key prefix `<runId>:`, groups. */
  readonly runId: string;
  readonly brokers: string;
  readonly registryUrl: string;
  /** The Collector's spans and metrics topics (its topic prefix included), which the gateway reads with its own group. */
  readonly spansTopic: string;
  readonly metricsTopic: string;
}

interface PipelineProcess { readonly name: string; readonly child: ChildProcess; readonly lines: string[]; port: number | undefined }

/** The pipeline a run of the demo starts: its four service processes and a follower of its risk and allocations topics. */
export interface DemoPipeline {
  readonly line: OtelRiskLine;
  readonly topicPrefix: string;
  /** The last log lines of each service (for a failure message). */
  logs(): string;
  stop(): Promise<void>;
}

function startProcess(name: string, env: Record<string, string>): PipelineProcess {
  const child = spawn(process.execPath, [mainOf(name)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: PipelineProcess = { name, child, lines: [], port: undefined };
  const keep = (stream: NodeJS.ReadableStream): void => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        if (proc.port === undefined && line.includes('"service starting"')) {
          try {
            proc.port = (JSON.parse(line) as { port?: number }).port;
          } catch { /* not JSON */ }
        }
        proc.lines.push(line);
        if (proc.lines.length > 100) proc.lines.shift();
      }
    });
  };
  keep(child.stdout as NodeJS.ReadableStream);
  keep(child.stderr as NodeJS.ReadableStream);
  return proc;
}

/** A port free right now on 127.0.0.1 (the gateway's OTLP/HTTP receiver, unused here: the Collector feeds it over Kafka). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

async function awaitReady(proc: PipelineProcess, deadline: number): Promise<void> {
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}):\n${proc.lines.slice(-15).join('\n')}`);
    if (proc.port !== undefined) {
      const response = await fetch(`http://127.0.0.1:${proc.port}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      if (response?.status === 200) return;
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} not ready (/readyz) in time:\n${proc.lines.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopProcess(proc: PipelineProcess): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.child.once('exit', () => resolve()));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts telemetry-gateway (reading the Collector's topics, its detector on), topology-builder, propagation-scorer and
 * allocator as child processes under this run's own prefixes, publishes a model version granting above
 * DEMO_GRANT_THRESHOLD, and follows the run's risk and allocations topics into an OtelRiskLine labelled by service.
 */
export async function startDemoPipeline(settings: PipelineSettings, label: (vmId: string) => string, readyTimeoutMs = 90_000): Promise<DemoPipeline> {
  const topicPrefix = `${settings.runId}.`;
  const env: Record<string, string> = {
    KAFKA_BROKERS: settings.brokers, FORESIGHT_KAFKA_BROKERS: settings.brokers, FORESIGHT_SCHEMA_REGISTRY_URL: settings.registryUrl,
    FORESIGHT_TOPIC_PREFIX: topicPrefix, FORESIGHT_REDIS_KEY_PREFIX: `${settings.runId}:`, FORESIGHT_NEO4J_NAMESPACE: settings.runId,
    FORESIGHT_HTTP_PORT: '0', FORESIGHT_LOG_LEVEL: 'info', FORESIGHT_SHUTDOWN_TIMEOUT: '5s', FORESIGHT_TICK_INTERVAL: '200ms',
    FORESIGHT_KAFKA_MAX_WAIT: '100ms', FORESIGHT_KAFKA_PARTITIONS: '1', FORESIGHT_TOPOLOGY_FLUSH_INTERVAL: '100ms', FORESIGHT_SNAPSHOT_MIN_INTERVAL: '0ms',
    FORESIGHT_GATEWAY_SPANS_TOPIC: settings.spansTopic, FORESIGHT_GATEWAY_METRICS_TOPIC: settings.metricsTopic,
    FORESIGHT_GATEWAY_GROUP: `${settings.runId}.gateway`, FORESIGHT_GATEWAY_HTTP_PORT: String(await freePort()),
    FORESIGHT_GATEWAY_WINDOW: '1s', FORESIGHT_GATEWAY_PAIRING_WAIT: '500ms', FORESIGHT_GATEWAY_DETECTOR: 'on', FORESIGHT_GATEWAY_DETECTOR_WARMUP: '5',
  };
  const processes = SERVICES.map((name) => startProcess(name, env));
  const line = new OtelRiskLine(label);
  let bus: KafkaBus | undefined;
  const stop = async (): Promise<void> => {
    await bus?.close().catch(() => undefined);
    await Promise.allSettled(processes.map(stopProcess));
  };
  try {
    const deadline = Date.now() + readyTimeoutMs;
    await Promise.all(processes.map((p) => awaitReady(p, deadline)));
    bus = await KafkaBus.connect({
      connection: { brokers: settings.brokers.split(','), clientId: `${settings.runId}-follower`, registry: { url: settings.registryUrl } },
      topicPrefix, maxWaitTimeMs: 100, topics: ['risk', 'allocations', 'model'],
    });
    await bus.startConsumers([
      consumerOf({ topic: 'risk', groupId: `${settings.runId}.demo-risk`, handle: (m: RiskAssessment) => { line.observeRisk(m); return Promise.resolve(); } }),
      consumerOf({ topic: 'allocations', groupId: `${settings.runId}.demo-allocations`, handle: (m: AllocationCommand) => { line.observeCommand(m); return Promise.resolve(); } }),
    ]);
    // As an operator would: a model version whose grant threshold the small shop reaches (the allocator and scorer adopt it).
    const now = Date.now();
    const model = { ...defaultModel('foresight', now), version: 2, parentVersion: 1, grantThreshold: DEMO_GRANT_THRESHOLD, releaseThreshold: DEMO_GRANT_THRESHOLD / 2 };
    await bus.publish('model', [{ eventId: 'model:foresight:2', eventTime: now, modelId: 'foresight', version: 2, parentVersion: 1, parametersJson: serialiseModel(model), metrics: {} }]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    line, topicPrefix, stop,
    logs: () => processes.map((p) => `--- ${p.name}\n${p.lines.slice(-10).join('\n')}`).join('\n'),
  };
}
