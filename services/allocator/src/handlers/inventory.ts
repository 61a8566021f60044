import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { FleetInventory } from '../fleet-inventory.js';

/** Consumes `inventory`: VM placement and criticality, and each VM's allocation off its host's headroom. */
export function inventoryConsumer(inventory: FleetInventory, groupId?: string): AnyConsumerDeclaration {
  return consumerOf({
    topic: 'inventory',
    ...(groupId === undefined ? {} : { groupId }),
    handle: (event) => inventory.applyInventory(event),
  });
}
