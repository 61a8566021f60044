import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { FleetInventory } from '../fleet-inventory.js';

/** Consumes `hosts`: a host's capacity, less what its VMs use, becomes its ledger capacity. */
export function hostsConsumer(inventory: FleetInventory, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'hosts',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event) => inventory.applyHost(event),
  });
}
