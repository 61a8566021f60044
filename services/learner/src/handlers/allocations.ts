import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { GrantRecords } from '../grant-records.js';
import { withStore } from '../store-failure.js';

/** Consumes `allocations`: when each VM of an incident was first granted resources for real. */
export function allocationsConsumer(grants: GrantRecords, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'allocations',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (command) => withStore('allocations', () => grants.recordCommand(command)),
  });
}
