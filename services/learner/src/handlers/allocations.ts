import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { GrantRecords } from '../grant-records.js';

/** Consumes `allocations`: when each VM of an incident was first granted resources for real. */
export function allocationsConsumer(grants: GrantRecords, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'allocations',
    ...(groupId === undefined ? {} : { groupId }),
    // Each key's state is its own (documents per key), so records of different keys may be handled at once.
    keyConcurrency: 32,
    // Recording keeps the earliest GRANT per (incident, VM): handling a command again changes nothing, so the runtime
    // skips the idempotency store (two calls per command; commands are most of the pipeline's messages).
    idempotentByItself: true,
    handle: (command) => grants.recordCommand(command),
    // Under a backlog, a partition's waiting commands (any VMs) are recorded at once: one read, the writes together.
    runScope: 'partition',
    handleRun: (commands) => grants.recordCommands(commands),
  });
}
