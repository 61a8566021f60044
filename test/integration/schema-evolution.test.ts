import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { topicNames, topicSchemas } from '@foresight/contracts';
import { RuntimeError, SchemaRegistryClient } from '@foresight/messaging';
import { newTestWorld } from '../support/test-world.js';
import { stackConnection } from './fixtures/messaging-stack.js';

const registryUrl = stackConnection('schema-evolution').registry.url;
const world = newTestWorld('schemas');
const subjects: string[] = [];

async function setBackward(subject: string): Promise<void> {
  const response = await fetch(`${registryUrl}/config/${encodeURIComponent(subject)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ compatibility: 'BACKWARD' }),
  });
  assert.equal(response.status, 200, await response.text());
}

function subjectFor(topic: string): string {
  const subject = `${world.topicPrefix}${topic}-value`;
  subjects.push(subject);
  return subject;
}

type AvroField = { name: string; type: unknown; default?: unknown };
const anomalies = topicSchemas.anomalies.schema as unknown as { fields: AvroField[] };

function anomaliesWith(fields: AvroField[]): string {
  return JSON.stringify({ ...topicSchemas.anomalies.schema, fields });
}

describe('schema evolution against the registry (BACKWARD compatibility)', () => {
  const registry = new SchemaRegistryClient({ url: registryUrl });

  after(async () => {
    for (const subject of subjects) await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}`, { method: 'DELETE' }).catch(() => undefined);
  });

  it('answers a readiness ping with its global compatibility, and an unreachable registry as REGISTRY_UNAVAILABLE', async () => {
    assert.deepEqual(await registry.ping(), { compatibility: 'BACKWARD' });
    const nowhere = new SchemaRegistryClient({ url: 'http://127.0.0.1:1/apis/ccompat/v7', timeoutMs: 2_000 });
    await assert.rejects(nowhere.ping(), (error: unknown) => error instanceof RuntimeError && error.code === 'REGISTRY_UNAVAILABLE');
  });

  it('registers every topic schema', async () => {
    for (const topic of topicNames) {
      const id = await registry.register(subjectFor(topic), JSON.stringify(topicSchemas[topic].schema));
      assert.ok(Number.isInteger(id) && id > 0, `${topic}: id ${id}`);
    }
  });

  it('lets instances register a new subject at once: every one gets the same id (20 races of 4)', async () => {
    // Without the retry in register, about 4 races in 10 ended in a 409 on the subject's compatibility rule.
    const text = JSON.stringify(topicSchemas.anomalies.schema);
    for (let race = 0; race < 20; race += 1) {
      const subject = subjectFor(`anomalies-race-${race}`);
      const racers = Array.from({ length: 4 }, () => new SchemaRegistryClient({ url: registryUrl }));
      const ids = await Promise.all(racers.map((racer) => racer.register(subject, text)));
      assert.equal(new Set(ids).size, 1, `race ${race}: ids ${ids.join(', ')}`);
    }
  });

  it('accepts a backward-compatible change (a new field with a default) under a new id', async () => {
    const subject = subjectFor('anomalies-compatible');
    const v1 = await registry.register(subject, JSON.stringify(topicSchemas.anomalies.schema));
    await setBackward(subject);
    const v2 = await registry.register(subject, anomaliesWith([...anomalies.fields, { name: 'runbookUrl', type: ['null', 'string'], default: null }]));
    assert.notEqual(v2, v1);
    assert.equal(await registry.register(subject, JSON.stringify(topicSchemas.anomalies.schema)), v1, 're-registering v1 finds the same id');
  });

  it('refuses an incompatible change: a new field without a default', async () => {
    const subject = subjectFor('anomalies-no-default');
    await registry.register(subject, JSON.stringify(topicSchemas.anomalies.schema));
    await setBackward(subject);
    await assert.rejects(
      registry.register(subject, anomaliesWith([...anomalies.fields, { name: 'owner', type: 'string' }])),
      (error: unknown) => error instanceof RuntimeError && error.code === 'SCHEMA_REJECTED',
    );
  });

  it('refuses an incompatible change: a field changing type', async () => {
    const subject = subjectFor('anomalies-retyped');
    await registry.register(subject, JSON.stringify(topicSchemas.anomalies.schema));
    await setBackward(subject);
    const retyped = anomalies.fields.map((f) => (f.name === 'severity' ? { ...f, type: 'string' } : f));
    await assert.rejects(registry.register(subject, anomaliesWith(retyped)), (error: unknown) => error instanceof RuntimeError && error.code === 'SCHEMA_REJECTED');
  });
});
