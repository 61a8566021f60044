import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { IncidentAllocator } from '../incident-allocator.js';

/** Consumes `allocation-outcomes`: frees the reservation of a command reported INFEASIBLE or FAILED. */
export function allocationOutcomesConsumer(allocator: IncidentAllocator, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'allocation-outcomes',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (outcome, context) => allocator.onOutcome(outcome, context.publish),
  });
}
