import neo4j, { Neo4jError } from 'neo4j-driver';
import { StoreError } from '../store-error.js';

/** Maps a driver error to a StoreError: transient and connectivity failures are STORE_UNAVAILABLE (retriable). */
export function toStoreError(error: unknown, where: string): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (neo4j.isRetriableError(error)) return new StoreError('STORE_UNAVAILABLE', `${where}: ${message}`, { cause: error });
  if (error instanceof Neo4jError && error.code.startsWith('Neo.ClientError.Security.')) {
    return new StoreError('STORE_FAILURE', `${where}: authentication or authorisation failed: ${message}`, { cause: error });
  }
  return new StoreError('STORE_FAILURE', `${where}: ${message}`, { cause: error });
}

const SCHEMA_ALREADY_CREATED = new Set([
  'Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists',
  'Neo.ClientError.Schema.IndexAlreadyExists',
  'Neo.ClientError.Schema.ConstraintAlreadyExists',
]);

/**
 * True when a `CREATE … IF NOT EXISTS` schema statement failed because a concurrent transaction created the same rule:
 * IF NOT EXISTS is checked when the statement starts, so processes initialising a fresh database at once can race.
 */
export function isSchemaAlreadyCreated(error: unknown): boolean {
  return error instanceof Neo4jError && SCHEMA_ALREADY_CREATED.has(error.code);
}
