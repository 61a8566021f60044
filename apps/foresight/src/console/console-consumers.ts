import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';
import type { LiveFleet } from './live-fleet.js';

/**
 * The console's consumers, in its own group: the latest risk versions, the allocation commands and what the actuator
 * did with them, the evaluations and the model versions, each into `fleet`. Handlers only update memory: idempotent by
 * themselves (a redelivered message changes nothing), so the runtime keeps no idempotency keys for them.
 */
export function consoleConsumers(fleet: LiveFleet, groupId: string): AnyConsumerDeclaration[] {
  return [
    consumerOf({ topic: 'risk', groupId, idempotentByItself: true, handle: (m, context) => Promise.resolve(void fleet.applyRisk(m, context.headers.traceparent)) }),
    consumerOf({ topic: 'allocations', groupId, idempotentByItself: true, handle: (m) => Promise.resolve(fleet.applyCommand(m)) }),
    consumerOf({ topic: 'allocation-outcomes', groupId, idempotentByItself: true, handle: (m) => Promise.resolve(fleet.applyOutcome(m)) }),
    consumerOf({ topic: 'evaluations', groupId, idempotentByItself: true, handle: (m) => Promise.resolve(fleet.applyEvaluation(m)) }),
    consumerOf({ topic: 'model', groupId, idempotentByItself: true, handle: (m) => Promise.resolve(fleet.applyModel(m)) }),
  ];
}
