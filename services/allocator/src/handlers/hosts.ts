import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { FleetInventory } from '../fleet-inventory.js';
import { withStore } from '@foresight/stores';

/** Consumes `hosts`: a host's capacity, less what its VMs use, becomes its ledger capacity. */
export function hostsConsumer(inventory: FleetInventory, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'hosts',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event) => withStore('hosts', () => inventory.applyHost(event)),
  });
}
