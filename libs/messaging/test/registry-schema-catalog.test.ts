import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import avro from 'avsc';
import { ContractError, topicCodec, topicSchemas } from '@foresight/contracts';
import { RegistrySchemaCatalog, RuntimeError, SchemaRegistryClient } from '../src/index.js';
import { hostEvent } from '@foresight/contracts/testing';

/** A Confluent-compatible registry in 30 lines: register under a subject, look up by id, a BACKWARD level everywhere. */
function fakeRegistry(): { server: Server; schemas: string[]; calls: string[] } {
  const schemas: string[] = [];
  const calls: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      calls.push(`${request.method} ${request.url}`);
      const byId = /^\/schemas\/ids\/(\d+)$/.exec(request.url ?? '');
      // As Apicurio does, a subject without its own level answers the global one.
      if (request.method === 'GET' && request.url?.startsWith('/config/')) {
        const level = request.url.includes('full') ? 'FULL' : 'BACKWARD';
        return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ compatibilityLevel: level }));
      }
      if (request.method === 'POST' && request.url?.startsWith('/subjects/')) {
        const { schema } = JSON.parse(body) as { schema: string };
        if (schema.includes('"Rejected"')) return void response.writeHead(409).end('{"message":"incompatible"}');
        let id = schemas.indexOf(schema) + 1;
        if (id === 0) id = schemas.push(schema);
        return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
      }
      if (request.method === 'GET' && byId) {
        const schema = schemas[Number(byId[1]) - 1];
        if (schema === undefined) return void response.writeHead(404).end('{"error_code":40403}');
        return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ schema }));
      }
      response.writeHead(500).end();
    });
  });
  return { server, schemas, calls };
}

describe('RegistrySchemaCatalog', () => {
  const registry = fakeRegistry();
  let url = '';
  before(async () => {
    await new Promise<void>((resolve) => registry.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(registry.server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => registry.server.close(() => resolve())));

  it('registers each topic once under <fullTopic>-value and caches ids and decoders', async () => {
    const catalog = new RegistrySchemaCatalog(new SchemaRegistryClient({ url }), 'p.');
    const id = await catalog.schemaIdOf('hosts');
    assert.equal(await catalog.schemaIdOf('hosts'), id);
    const decode = await catalog.decoderFor('hosts', id);
    assert.equal(decode(topicCodec('hosts').encode(hostEvent('e-1'))).eventId, 'e-1');
    await catalog.decoderFor('hosts', id);
    assert.deepEqual(registry.calls.filter((c) => c.includes('p.hosts-value') && !c.startsWith('GET /config/')), ['POST /subjects/p.hosts-value/versions']);
  });

  it('decodes a payload written under an older schema by Avro resolution, then validates it', async () => {
    const current = JSON.parse(topicCodec('hosts').schemaText) as { fields: { name: string }[] };
    // The older writer had no `removed` field (schemas/hosts.avsc gives it default false) and another field order.
    const older = { ...current, fields: current.fields.filter((f) => f.name !== 'removed').reverse() };
    const olderId = await new SchemaRegistryClient({ url }).register('legacy-value', JSON.stringify(older));
    const catalog = new RegistrySchemaCatalog(new SchemaRegistryClient({ url }), 'p.');
    const { removed: _removed, ...legacy } = hostEvent('e-old');
    const payload = avro.Type.forSchema(older as avro.Schema).toBuffer(legacy);
    const decoded = (await catalog.decoderFor('hosts', olderId))(payload);
    assert.equal(decoded.eventId, 'e-old');
    assert.equal(decoded.removed, false, 'filled in from the reader default');
  });

  it('answers UNKNOWN_SCHEMA (poison) for an id the registry does not know, REGISTRY_UNAVAILABLE when unreachable', async () => {
    const catalog = new RegistrySchemaCatalog(new SchemaRegistryClient({ url }), 'p.');
    await assert.rejects(catalog.decoderFor('hosts', 9999), (e: unknown) => e instanceof ContractError && e.code === 'UNKNOWN_SCHEMA');
    const down = new RegistrySchemaCatalog(new SchemaRegistryClient({ url: 'http://127.0.0.1:1', timeoutMs: 500 }), 'p.');
    await assert.rejects(down.schemaIdOf('hosts'), (e: unknown) => e instanceof RuntimeError && e.code === 'REGISTRY_UNAVAILABLE');
  });

  it('reports a refused schema as SCHEMA_REJECTED', async () => {
    await assert.rejects(new SchemaRegistryClient({ url }).register('x-value', '{"type":"record","name":"Rejected","fields":[]}'),
      (e: unknown) => e instanceof RuntimeError && e.code === 'SCHEMA_REJECTED' && /409/.test(e.message));
  });

  it('refuses to register under a subject whose compatibility level is not the configured one (SCHEMA_REJECTED)', async () => {
    await assert.rejects(new SchemaRegistryClient({ url }).register('full-value', JSON.stringify(topicSchemas.hosts.schema)),
      (e: unknown) => e instanceof RuntimeError && e.code === 'SCHEMA_REJECTED' && /BACKWARD != FULL/.test(e.message));
    assert.ok(await new SchemaRegistryClient({ url, compatibility: 'FULL' }).register('full-value', JSON.stringify(topicSchemas.hosts.schema)) > 0);
  });
});
