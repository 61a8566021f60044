import { parseModel, type ModelParameters } from '@foresight/core';
import type { ModelVersion } from '@foresight/contracts';
import { RuntimeError } from '@foresight/messaging';
import type { HasDocuments } from '@foresight/stores';

const KIND = 'allocator-model';

/**
 * The model version whose thresholds and grant sizes the allocator plans with: the newest published version of
 * the configured model, kept in one document so every instance plans with it whichever consumed the message.
 */
export class CurrentModel {
  private cachedJson: string | undefined;
  private cached: ModelParameters;

  constructor(private readonly store: HasDocuments, private readonly modelId: string, initial: ModelParameters) {
    this.cached = initial;
  }

  /** The newest known version (the initial model until one is published). */
  async get(): Promise<ModelParameters> {
    const json = await this.store.documents.get(KIND, this.modelId);
    if (json !== undefined && json !== this.cachedJson) {
      this.cached = parseModel(JSON.parse(json));
      this.cachedJson = json;
    }
    return this.cached;
  }

  /**
   * Writes the version this process plans with back when the store no longer holds one (the store lost its data):
   * other instances and restarts then plan with it again instead of the initial model.
   */
  async restore(): Promise<void> {
    if (this.cachedJson === undefined) return;
    if ((await this.store.documents.get(KIND, this.modelId)) === undefined) await this.store.documents.put(KIND, this.modelId, this.cachedJson);
  }

  /** Adopts a published version when it is of our model and newer; throws INVALID_PARAMETERS for a malformed one. */
  async offer(message: ModelVersion): Promise<boolean> {
    if (message.modelId !== this.modelId) return false;
    const model = parseModel(parseJson(message.parametersJson, message.version));
    if (model.version <= (await this.get()).version) return false;
    await this.store.documents.put(KIND, this.modelId, message.parametersJson);
    return true;
  }
}

function parseJson(json: string, version: number): unknown {
  try {
    return JSON.parse(json);
  } catch (cause) {
    throw new RuntimeError('HANDLER_FATAL', `model version ${version}: parametersJson is not JSON`, { cause });
  }
}
