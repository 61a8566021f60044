import type { ModelVersion } from '@foresight/contracts';
import { defaultModel, parseModel, serialiseModel, type ModelParameters } from '@foresight/core';
import type { Logger } from '@foresight/messaging';
import type { DocumentStore } from '@foresight/stores';

/** Where the scorer keeps the model it scores with, so a restart does not fall back to the default. */
export const MODEL_DOCUMENT = { kind: 'propagation-scorer.model', id: 'current' } as const;

/**
 * The model parameters scoring uses now. A published model replaces them without a restart when its version is
 * newer (older or equal versions, e.g. a replayed topic, are ignored). Models are immutable values, so an
 * assessment in flight keeps the object it started with.
 */
export class ActiveModel {
  private model: ModelParameters;

  constructor(private readonly documents: DocumentStore, private readonly logger: Logger, initial: ModelParameters = defaultModel()) {
    this.model = initial;
  }

  get current(): ModelParameters {
    return this.model;
  }

  /** Restores the last adopted model, if one was stored and it is newer than the initial one. */
  async load(): Promise<void> {
    const json = await this.documents.get(MODEL_DOCUMENT.kind, MODEL_DOCUMENT.id);
    if (json === undefined) return;
    this.adopt(parseModel(json));
  }

  /**
   * Offers a published model: parseModel validates it (INVALID_PARAMETERS is not retriable: the message is
   * dead-lettered); a newer version is adopted and stored. True when adopted.
   */
  async offer(event: ModelVersion): Promise<boolean> {
    const model = parseModel(event.parametersJson);
    if (!this.adopt(model)) {
      this.logger.debug({ modelId: model.modelId, version: model.version, current: this.model.version }, 'model version not newer: ignored');
      return false;
    }
    await this.documents.put(MODEL_DOCUMENT.kind, MODEL_DOCUMENT.id, serialiseModel(model));
    this.logger.info({ modelId: model.modelId, version: model.version }, 'model switched');
    return true;
  }

  /** Stores the current model again (after the state store lost it: a restart then loads it instead of the default). */
  async persist(): Promise<void> {
    await this.documents.put(MODEL_DOCUMENT.kind, MODEL_DOCUMENT.id, serialiseModel(this.model));
  }

  private adopt(model: ModelParameters): boolean {
    if (model.version <= this.model.version) return false;
    this.model = model;
    return true;
  }
}
