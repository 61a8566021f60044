import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import neo4j, { Neo4jError } from 'neo4j-driver';
import { isSchemaAlreadyCreated, toStoreError as fromNeo4j } from '../src/graph/neo4j-errors.js';
import { toStoreError as fromRedis } from '../src/state/redis-errors.js';
import { StoreError, isStoreError } from '../src/store-error.js';

describe('StoreError', () => {
  it('is retriable exactly when the store is unavailable', () => {
    assert.equal(new StoreError('STORE_UNAVAILABLE', 'x').retriable, true);
    assert.equal(new StoreError('INVALID_INPUT', 'x').retriable, false);
    assert.equal(new StoreError('STORE_FAILURE', 'x').retriable, false);
  });

  it('maps Redis connection and transient replies to STORE_UNAVAILABLE, the rest to STORE_FAILURE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
    assert.ok(isStoreError(fromRedis(refused, 'redis reserve'), 'STORE_UNAVAILABLE'));
    assert.ok(isStoreError(fromRedis(new Error('LOADING Redis is loading the dataset in memory'), 'w'), 'STORE_UNAVAILABLE'));
    assert.ok(isStoreError(fromRedis(new Error('Connection is closed.'), 'w'), 'STORE_UNAVAILABLE'));
    const failure = fromRedis(new Error('ERR Error running script'), 'redis reserve');
    assert.ok(isStoreError(failure, 'STORE_FAILURE'));
    assert.match(failure.message, /^redis reserve: ERR/);
    assert.ok(failure.cause instanceof Error);
  });

  it('maps Neo4j transient and connectivity errors to STORE_UNAVAILABLE, security errors to STORE_FAILURE', () => {
    assert.ok(isStoreError(fromNeo4j(new Neo4jError('gone', neo4j.error.SERVICE_UNAVAILABLE, '50N42', 'error'), 'neo4j init'), 'STORE_UNAVAILABLE'));
    assert.ok(isStoreError(fromNeo4j(new Neo4jError('deadlock', 'Neo.TransientError.Transaction.DeadlockDetected', '50N42', 'error'), 'w'), 'STORE_UNAVAILABLE'));
    assert.ok(isStoreError(fromNeo4j(new Neo4jError('no', 'Neo.ClientError.Security.Unauthorized', '50N42', 'error'), 'w'), 'STORE_FAILURE'));
    assert.ok(isStoreError(fromNeo4j(new Neo4jError('bad', 'Neo.ClientError.Statement.SyntaxError', '50N42', 'error'), 'w'), 'STORE_FAILURE'));
    const passthrough = new StoreError('INVALID_INPUT', 'x');
    assert.equal(fromNeo4j(passthrough, 'w'), passthrough);
  });

  it('recognises a schema rule created concurrently by another process, and nothing else', () => {
    const raced = new Neo4jError("An equivalent index already exists, 'Index( id=11, name='foresight_group_ns' )'.", 'Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists', '22N71', 'error');
    assert.equal(isSchemaAlreadyCreated(raced), true);
    assert.equal(isSchemaAlreadyCreated(new Neo4jError('c', 'Neo.ClientError.Schema.ConstraintAlreadyExists', '22N71', 'error')), true);
    assert.equal(isSchemaAlreadyCreated(new Neo4jError('bad', 'Neo.ClientError.Statement.SyntaxError', '42001', 'error')), false);
    assert.equal(isSchemaAlreadyCreated(new Error('Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists')), false);
  });
});
