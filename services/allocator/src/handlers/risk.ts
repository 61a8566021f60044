import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { IncidentAllocator } from '../incident-allocator.js';

/** Consumes `risk`: plans and carries out grants for an OPEN assessment, releases everything of a CLOSED one. */
export function riskConsumer(allocator: IncidentAllocator, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'risk',
    ...(groupId === undefined ? {} : { groupId }),
    // Each key's state is its own (documents per key), so records of different keys may be handled at once.
    keyConcurrency: 32,
    handle: (assessment, context) => allocator.onRisk(assessment, context.publish),
    // Under a backlog, a partition's waiting assessments (any incidents) are handled as one batch: one read of the
    // ledger, planning in memory, one reserve, one publish (IncidentAllocator.onRiskRun).
    runScope: 'partition',
    handleRun: (assessments, contexts) => allocator.onRiskRun(assessments, contexts[contexts.length - 1].publish),
  });
}
