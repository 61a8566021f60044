import { MODEL_DOCUMENT } from '@foresight/propagation-scorer';
import type { ConsoleStores } from './console-stores.js';
import type { LiveFleet } from './live-fleet.js';

/**
 * Reads the model the scorers score with now (their stored model document) into `fleet`, so the model view names the
 * live version before any new one is published. Its held-out metrics travel only on the model topic: unknown here.
 */
export async function loadStoredModels(stores: ConsoleStores, fleet: LiveFleet): Promise<void> {
  const json = await stores.documents.get(MODEL_DOCUMENT.kind, MODEL_DOCUMENT.id);
  if (json === undefined) return;
  let model: { modelId?: unknown; version?: unknown; parentVersion?: unknown; createdAt?: unknown };
  try {
    model = JSON.parse(json) as typeof model;
  } catch {
    return;
  }
  if (typeof model.modelId !== 'string' || typeof model.version !== 'number') return;
  fleet.applyModel({
    eventId: `stored:${model.modelId}:${model.version}`, eventTime: typeof model.createdAt === 'number' ? model.createdAt : 0, modelId: model.modelId, version: model.version,
    parentVersion: typeof model.parentVersion === 'number' ? model.parentVersion : null, parametersJson: json, metrics: {},
  }, 'stores');
}
