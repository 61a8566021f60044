import type { AnomalyEvent, FlowEvent, HostEvent, InventoryEvent } from '@foresight/contracts';

/** One line of replay input. */
export type ImportLine =
  | { readonly topic: 'hosts'; readonly message: HostEvent }
  | { readonly topic: 'inventory'; readonly message: InventoryEvent }
  | { readonly topic: 'flows'; readonly message: FlowEvent }
  | { readonly topic: 'anomalies'; readonly message: AnomalyEvent };

/** The event time replay gives a line: max(eventTime, detectedAt) for anomalies (replay.ts). */
export function lineTime(line: ImportLine): number {
  return line.topic === 'anomalies' ? Math.max(line.message.eventTime, line.message.detectedAt) : line.message.eventTime;
}

const TOPIC_RANK: Readonly<Record<ImportLine['topic'], number>> = { hosts: 0, inventory: 1, flows: 2, anomalies: 3 };

/**
 * Lines in event-time order (replay replays in file order): at equal times hosts, then inventory, then flows, then
 * anomalies, so a topology is known before the anomaly that needs it; stable otherwise.
 */
export function inEventTimeOrder(lines: readonly ImportLine[]): ImportLine[] {
  return lines
    .map((line, i) => ({ line, i, at: lineTime(line) }))
    .sort((a, b) => a.at - b.at || TOPIC_RANK[a.line.topic] - TOPIC_RANK[b.line.topic] || a.i - b.i)
    .map((x) => x.line);
}
