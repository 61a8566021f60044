import { ForesightError } from '../errors.js';
import { RESOURCE_KEYS, type Resources } from '../resources.js';
import { PATHWAY_KINDS, isPathwayKind, type PathwayKind } from '../topology/pathway.js';
import { GENERIC_ANOMALY_TYPE, normaliseAnomalyType } from './anomaly-type.js';
import type { AnomalyTypeParameters, BetaPosterior, CarrierParameters, CarrierTable, ModelParameters } from './model-parameters.js';
import { FEATURE_COUNT } from './transmission.js';

/** The JSON shape of ModelParameters: the same fields, plain data. */
export type ModelJson = ModelParameters;

type Json = Readonly<Record<string, unknown>>;

const TOP_LEVEL_KEYS = [
  'modelId', 'version', 'parentVersion', 'createdAt', 'types', 'vulnerabilityWeight', 'vulnerabilityPrior', 'vulnerability',
  'grantThreshold', 'releaseThreshold', 'horizonMs',
] as const;
const MAX_MODEL_ID_LENGTH = 256;

function invalid(path: string, message: string): ForesightError {
  return new ForesightError('INVALID_PARAMETERS', `model parameters: ${path} ${message}`);
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? typeof value;
  } catch {
    return typeof value;
  }
}

function objectAt(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, `must be an object, got ${describe(value)}`);
  return value as Json;
}

/** Unknown keys are rejected: a misspelt `foward` must not silently switch a carrier off. */
function onlyKeys(obj: Json, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw invalid(`${path}.${key}`, `is not a known field (expected one of ${allowed.join(', ')})`);
  }
}

function finiteAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(path, `must be a finite number, got ${describe(value)}`);
  return value;
}

function positiveAt(value: unknown, path: string): number {
  const v = finiteAt(value, path);
  if (v <= 0) throw invalid(path, `must be > 0, got ${v}`);
  return v;
}

function nonNegativeAt(value: unknown, path: string): number {
  const v = finiteAt(value, path);
  if (v < 0) throw invalid(path, `must be ≥ 0, got ${v}`);
  return v;
}

function integerAt(value: unknown, path: string, min: number): number {
  const v = finiteAt(value, path);
  if (!Number.isSafeInteger(v) || v < min) throw invalid(path, `must be an integer ≥ ${min}, got ${v}`);
  return v;
}

function probabilityAt(value: unknown, path: string): number {
  const v = finiteAt(value, path);
  if (v <= 0 || v >= 1) throw invalid(path, `must be in (0, 1), got ${v}`);
  return v;
}

function parseCarrier(value: unknown, path: string): CarrierParameters {
  const obj = objectAt(value, path);
  onlyKeys(obj, ['weights', 'delayMs'], path);
  const weights = obj['weights'];
  if (!Array.isArray(weights) || weights.length !== FEATURE_COUNT) {
    throw invalid(`${path}.weights`, `must be an array of ${FEATURE_COUNT} numbers, got ${describe(weights)}`);
  }
  return {
    weights: weights.map((w: unknown, i) => finiteAt(w, `${path}.weights[${i}]`)),
    delayMs: positiveAt(obj['delayMs'], `${path}.delayMs`),
  };
}

function parseCarrierTable(value: unknown, path: string): CarrierTable {
  const obj = objectAt(value, path);
  onlyKeys(obj, ['forward', 'reverse'], path);
  const forward = obj['forward'] === undefined ? undefined : parseCarrier(obj['forward'], `${path}.forward`);
  const reverse = obj['reverse'] === undefined ? undefined : parseCarrier(obj['reverse'], `${path}.reverse`);
  return { ...(forward === undefined ? {} : { forward }), ...(reverse === undefined ? {} : { reverse }) };
}

function parseResources(value: unknown, path: string): Resources {
  const obj = objectAt(value, path);
  onlyKeys(obj, RESOURCE_KEYS, path);
  return {
    cpuMillis: nonNegativeAt(obj['cpuMillis'], `${path}.cpuMillis`),
    memoryMiB: nonNegativeAt(obj['memoryMiB'], `${path}.memoryMiB`),
    networkMbps: nonNegativeAt(obj['networkMbps'], `${path}.networkMbps`),
  };
}

function parseType(value: unknown, path: string): AnomalyTypeParameters {
  const obj = objectAt(value, path);
  onlyKeys(obj, ['carriers', 'grantSize'], path);
  const carriersObj = objectAt(obj['carriers'], `${path}.carriers`);
  const carriers: { [K in PathwayKind]?: CarrierTable } = {};
  for (const kind of Object.keys(carriersObj)) {
    if (!isPathwayKind(kind)) throw invalid(`${path}.carriers.${kind}`, `is not a pathway kind (expected one of ${PATHWAY_KINDS.join(', ')})`);
    carriers[kind] = parseCarrierTable(carriersObj[kind], `${path}.carriers.${kind}`);
  }
  return { carriers, grantSize: parseResources(obj['grantSize'], `${path}.grantSize`) };
}

function parseBeta(value: unknown, path: string): BetaPosterior {
  const obj = objectAt(value, path);
  onlyKeys(obj, ['alpha', 'beta'], path);
  return { alpha: positiveAt(obj['alpha'], `${path}.alpha`), beta: positiveAt(obj['beta'], `${path}.beta`) };
}

/**
 * Parses and fully validates model parameters from a JSON string or an already-decoded plain object.
 * Throws ForesightError('INVALID_PARAMETERS') naming the offending field path.
 */
export function parseModel(input: unknown): ModelParameters {
  let raw: unknown = input;
  if (typeof input === 'string') {
    try {
      raw = JSON.parse(input);
    } catch (cause) {
      throw new ForesightError('INVALID_PARAMETERS', `model parameters: not valid JSON (${(cause as Error).message})`, { cause });
    }
  }
  const obj = objectAt(raw, '$');
  onlyKeys(obj, TOP_LEVEL_KEYS, '$');

  const modelId = obj['modelId'];
  if (typeof modelId !== 'string' || modelId.length === 0 || modelId.length > MAX_MODEL_ID_LENGTH) {
    throw invalid('$.modelId', `must be a non-empty string of at most ${MAX_MODEL_ID_LENGTH} characters, got ${describe(modelId)}`);
  }
  const version = integerAt(obj['version'], '$.version', 1);
  const parentVersion = obj['parentVersion'] === null ? null : integerAt(obj['parentVersion'], '$.parentVersion', 1);
  if (parentVersion !== null && parentVersion >= version) throw invalid('$.parentVersion', `must be < version (${version}), got ${parentVersion}`);

  const typesObj = objectAt(obj['types'], '$.types');
  const types: Record<string, AnomalyTypeParameters> = {};
  for (const name of Object.keys(typesObj)) {
    if (normaliseAnomalyType(name) !== name) throw invalid(`$.types.${name}`, 'is not a normalised anomaly type name');
    types[name] = parseType(typesObj[name], `$.types.${name}`);
  }
  if (types[GENERIC_ANOMALY_TYPE] === undefined) throw invalid(`$.types.${GENERIC_ANOMALY_TYPE}`, 'is required (used for unseen anomaly types)');

  const vulnerabilityObj = objectAt(obj['vulnerability'], '$.vulnerability');
  // NOTE: built from entries so that a VM id such as `__proto__` stays an ordinary own key.
  const vulnerability: Record<string, BetaPosterior> = Object.fromEntries(
    Object.keys(vulnerabilityObj).map((vmId) => {
      if (vmId.length === 0) throw invalid('$.vulnerability', 'has an empty VM id');
      return [vmId, parseBeta(vulnerabilityObj[vmId], `$.vulnerability.${vmId}`)] as const;
    }),
  );

  const grantThreshold = probabilityAt(obj['grantThreshold'], '$.grantThreshold');
  const releaseThreshold = probabilityAt(obj['releaseThreshold'], '$.releaseThreshold');
  if (releaseThreshold >= grantThreshold) {
    throw invalid('$.releaseThreshold', `must be < grantThreshold (${grantThreshold}), got ${releaseThreshold}`);
  }

  return {
    modelId,
    version,
    parentVersion,
    createdAt: finiteAt(obj['createdAt'], '$.createdAt'),
    types,
    vulnerabilityWeight: nonNegativeAt(obj['vulnerabilityWeight'], '$.vulnerabilityWeight'),
    vulnerabilityPrior: parseBeta(obj['vulnerabilityPrior'], '$.vulnerabilityPrior'),
    vulnerability,
    grantThreshold,
    releaseThreshold,
    horizonMs: positiveAt(obj['horizonMs'], '$.horizonMs'),
  };
}

/** A plain, JSON-safe copy of the model (validated: refuses to emit parameters parseModel would reject). */
export function modelToJson(model: ModelParameters): ModelJson {
  return parseModel(model);
}

/** Serialises model parameters to a JSON string (validated first). */
export function serialiseModel(model: ModelParameters): string {
  return JSON.stringify(modelToJson(model));
}
