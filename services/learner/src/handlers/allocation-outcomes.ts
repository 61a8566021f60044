import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { GrantRecords } from '../grant-records.js';

/** Consumes `allocation-outcomes`: whether (and when) a grant was actually applied. */
export function allocationOutcomesConsumer(grants: GrantRecords, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'allocation-outcomes',
    ...(groupId === undefined ? {} : { groupId }),
    // Each key's state is its own (documents per key), so records of different keys may be handled at once.
    keyConcurrency: 32,
    handle: (outcome) => grants.recordOutcome(outcome),
    // Under a backlog, a partition's waiting outcomes (any commands) are written at once: one write, the latest per command.
    runScope: 'partition',
    handleRun: (outcomes) => grants.recordOutcomes(outcomes),
  });
}
