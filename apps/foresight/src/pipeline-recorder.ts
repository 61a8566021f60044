import type { AllocationCommand, ModelVersion, RiskAssessment } from '@foresight/contracts';
import { consumerOf, type AnyConsumerDeclaration } from '@foresight/messaging';

/** What the pipeline published, as an outside observer saw it: risk assessments, allocation commands, model versions. */
export class PipelineRecorder {
  readonly risks: RiskAssessment[] = [];
  readonly allocations: AllocationCommand[] = [];
  readonly models: ModelVersion[] = [];

  /** Consumers of `risk`, `allocations` and `model` in their own group (they see every message, change nothing). */
  consumers(groupId: string): AnyConsumerDeclaration[] {
    return [
      consumerOf({ topic: 'risk', groupId, handle: (m) => Promise.resolve(void this.risks.push(m)) }),
      consumerOf({ topic: 'allocations', groupId, handle: (m) => Promise.resolve(void this.allocations.push(m)) }),
      consumerOf({ topic: 'model', groupId, handle: (m) => Promise.resolve(void this.models.push(m)) }),
    ];
  }
}
