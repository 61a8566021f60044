import { topicNames } from '@foresight/contracts';
import { DEAD_LETTER_HEADERS, RuntimeError, type InMemoryBus } from '@foresight/messaging';
import { DEFAULT_TOPOLOGY_BUILDER_OPTIONS } from '@foresight/topology-builder';
import { startEmbeddedPipeline } from './embedded-pipeline.js';
import { PipelineRecorder } from './pipeline-recorder.js';
import { parseReplayLine, type ParsedReplayLine, type ReplayInputTopic, type ReplayLine } from './replay-line.js';
import { ReplayTally, type ReplayReport } from './replay-report.js';

/** How pathways age during a replay (the topology builder's settings, in event time). */
export interface PathwayAgeing {
  /** A pathway with no flow window for longer than this is removed; 'never' keeps it (default: the builder's, 30 min). */
  readonly staleAfterMs?: number | 'never';
  /** Half-life of the decayed features and of the fading of unobserved traffic (default: the builder's, 10 min). */
  readonly halfLifeMs?: number;
}

/** Knobs of a replay. */
export interface ReplayOptions {
  /** After the last event, keep ticking the services this long (default 31 min: past the model horizon). */
  readonly tailMs?: number;
  /** Tick step through gaps between events and through the tail (default 1 min). */
  readonly tailStepMs?: number;
  /** false: the learner does not run, so the model stays the default one (or the input's `model` lines); default true. */
  readonly learning?: boolean;
  readonly pathways?: PathwayAgeing;
}

/** Receives the output as it is produced (awaited: a slow sink slows the replay instead of filling memory). */
export type ReplaySink = (line: ReplayLine) => void | Promise<void>;

/** Events of one event time are published in runs of at most this many (bounds what is held before a drain). */
const MAX_PENDING = 2_000;
const RANK = { risk: 0, allocations: 1, model: 2 } as const;

function staleAfter(ageing: PathwayAgeing | undefined): number | undefined {
  const value = ageing?.staleAfterMs ?? DEFAULT_TOPOLOGY_BUILDER_OPTIONS.staleAfterMs;
  return value === 'never' ? undefined : value;
}

/**
 * Feeds a recording through the embedded pipeline in file order, one line at a time: before an event later than the
 * current time, every service ticks at its time (every tailStepMs through gaps); after the last one the services keep
 * ticking for the tail (incidents time out, leases expire, the learner labels). What the pipeline publishes on `risk`,
 * `allocations` and `model` (the learner's versions, not the input's) goes to `sink` as soon as it is produced, in
 * event-time order within each step. Returns the counts of what was read, expired, ignored and dead-lettered.
 */
export async function replayInto(lines: Iterable<string> | AsyncIterable<string>, sink: ReplaySink, options: ReplayOptions = {}): Promise<ReplayReport> {
  const staleAfterMs = staleAfter(options.pathways);
  const halfLifeMs = options.pathways?.halfLifeMs;
  for (const [name, value] of [['staleAfterMs', staleAfterMs], ['halfLifeMs', halfLifeMs]] as const) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new RuntimeError('CONFIG_INVALID', `pathway ${name} must be a positive duration, got ${value}`);
  }
  const tally = new ReplayTally(staleAfterMs);
  const recorder = new PipelineRecorder();
  const pipeline = await startEmbeddedPipeline({
    extraConsumers: recorder.consumers('foresight.replay-recorder'),
    learning: options.learning ?? true,
    trimConsumed: true,
    topology: {
      // NOTE: "never" is a staleness no replay reaches (the builder wants a finite duration).
      staleAfterMs: staleAfterMs ?? Number.MAX_SAFE_INTEGER,
      ...(halfLifeMs === undefined ? {} : { halfLifeMs }),
    },
    observer: { topologyFlushed: (summary) => tally.topologyFlushed(summary), anomalyIgnored: (reason) => tally.anomalyIgnored(reason) },
  });
  const inputModels = new Set<string>();
  const emit = async (): Promise<void> => {
    const produced: { line: ReplayLine; at: number; rank: number }[] = [];
    for (const message of recorder.risks.splice(0)) {
      const unknownVmIds = tally.unknownVmsOf(message);
      produced.push({ line: unknownVmIds === undefined ? { topic: 'risk', message } : { topic: 'risk', message, unknownVmIds }, at: message.eventTime, rank: RANK.risk });
    }
    for (const message of recorder.allocations.splice(0)) produced.push({ line: { topic: 'allocations', message }, at: message.eventTime, rank: RANK.allocations });
    for (const message of recorder.models.splice(0)) {
      if (!inputModels.delete(message.eventId)) produced.push({ line: { topic: 'model', message }, at: message.eventTime, rank: RANK.model });
    }
    produced.sort((a, b) => a.at - b.at || a.rank - b.rank);
    for (const { line } of produced) {
      tally.published[line.topic as keyof typeof RANK]++;
      await sink(line);
    }
  };
  let pending: ParsedReplayLine[] = [];
  const flush = async (): Promise<void> => {
    let k = 0;
    while (k < pending.length) {
      const topic = pending[k].topic;
      let end = k;
      while (end < pending.length && pending[end].topic === topic) end++;
      await pipeline.publish<ReplayInputTopic>(topic, pending.slice(k, end).map((p) => p.message));
      k = end;
    }
    pending = [];
    await pipeline.drain();
    await emit();
  };
  const advance = async (t: number): Promise<void> => {
    await pipeline.advance(t);
    await emit();
  };
  let now = Number.NEGATIVE_INFINITY;
  const step = options.tailStepMs ?? 60_000;
  try {
    for await (const text of lines) {
      const lineNumber = tally.lines + 1;
      const parsed = parseReplayLine(text, lineNumber);
      tally.read(parsed, lineNumber);
      if (parsed === undefined) continue;
      if (parsed.at > now) {
        await flush();
        // NOTE: the services tick every step through a gap between events, as a wall-clock tick would in production.
        if (Number.isFinite(now)) for (let t = now + step; t < parsed.at; t += step) await advance(t);
        if (Number.isFinite(now)) await advance(parsed.at);
        now = parsed.at;
      } else if (pending.length >= MAX_PENDING) {
        await flush();
      }
      if (parsed.topic === 'model') inputModels.add(parsed.message.eventId);
      pending.push(parsed);
    }
    await flush();
    tally.tailBegins();
    if (Number.isFinite(now)) {
      const tail = options.tailMs ?? 31 * 60_000;
      await advance(now);
      for (let t = now + step; t <= now + tail; t += step) await advance(t);
    }
    await pipeline.drain();
    await emit();
    return tally.report(deadLetters(pipeline.bus));
  } catch (error) {
    if (error instanceof RuntimeError && error.code === 'CONFIG_INVALID') throw error;
    // NOTE: a record the contracts accept can still break a service (an empty hostId): say how far the replay got.
    throw new RuntimeError('HANDLER_FATAL', `replay stopped after line ${tally.lines}: ${(error as Error).message}`, { cause: error });
  } finally {
    await pipeline.stop();
  }
}

/** Dead-lettered input records by topic (a record refused by several consumer groups counts once), and a reason. */
function deadLetters(bus: InMemoryBus): Record<string, { readonly records: number; readonly reason: string }> {
  const out: Record<string, { records: number; reason: string }> = {};
  for (const topic of topicNames) {
    const letters = bus.deadLetters(topic);
    if (letters.length === 0) continue;
    const originals = new Set(letters.map((l) => `${l.headers[DEAD_LETTER_HEADERS.originalPartition]}:${l.headers[DEAD_LETTER_HEADERS.originalOffset]}`));
    out[topic] = { records: originals.size, reason: letters[0].headers[DEAD_LETTER_HEADERS.reason] ?? 'no reason given' };
  }
  return out;
}

/** replayInto, collecting the output in memory: for tests and small recordings. */
export async function replayRecording(lines: Iterable<string> | AsyncIterable<string>, options: ReplayOptions = {}): Promise<ReplayLine[]> {
  const output: ReplayLine[] = [];
  await replayInto(lines, (line) => void output.push(line), options);
  return output;
}
