import avro from 'avsc';
import { ContractError } from './contract-error.js';
import { topicSchemas, type TopicName } from './generated/contracts.js';
import { decodeFrame } from './wire-format.js';

interface RecordSchema {
  readonly type: 'record';
  readonly name: string;
  readonly fields: readonly { readonly name: string; readonly type: unknown }[];
}

const isRecord = (schema: unknown): schema is RecordSchema => typeof schema === 'object' && schema !== null && (schema as { type?: unknown }).type === 'record';

/** The record schema with only the fields `paths` name (`a`, or `a.b` inside a record or an array of records). */
function projectRecord(schema: RecordSchema, paths: readonly string[], topic: string): RecordSchema {
  const fields = schema.fields.flatMap((field) => {
    const own = paths.filter((p) => p === field.name || p.startsWith(`${field.name}.`));
    if (own.length === 0) return [];
    const inner = own.filter((p) => p !== field.name).map((p) => p.slice(field.name.length + 1));
    if (inner.length === 0) return [field];
    const type = field.type as { type?: unknown; items?: unknown };
    if (isRecord(type)) return [{ ...field, type: projectRecord(type, inner, topic) }];
    if (type.type === 'array' && isRecord(type.items)) return [{ ...field, type: { ...type, items: projectRecord(type.items, inner, topic) } }];
    throw new ContractError('INVALID_MESSAGE', `${topic}: field '${field.name}' has no fields to project (${inner.join(', ')})`);
  });
  const missing = paths.filter((p) => !schema.fields.some((f) => p === f.name || p.startsWith(`${f.name}.`)));
  if (missing.length > 0) throw new ContractError('INVALID_MESSAGE', `${topic}: no field ${missing.join(', ')} in ${schema.name}`);
  // The other fields' defaults do not matter: Avro resolution skips the writer's fields the reader lacks.
  return { ...schema, fields: fields.map((f) => ({ name: f.name, type: f.type })) };
}

/**
 * Decodes only some fields of a topic's framed messages (`incidentId`, `atRisk.probability`: fields of records and of
 * arrays of records), skipping the bytes of the others instead of building them: for observers (probes, tools) that
 * read a few fields of large messages. The payload is read as written with the topic's current schema; nothing is
 * validated beyond Avro (the consumers of the topic validate what they take in). NOT_AVRO for bytes that do not decode.
 */
export function topicProjection<T>(topic: TopicName, paths: readonly string[]): (frame: Buffer) => T {
  const schema = topicSchemas[topic].schema as unknown as RecordSchema;
  const writer = avro.Type.forSchema(schema as unknown as avro.Schema);
  const reader = avro.Type.forSchema(projectRecord(schema, paths, topic) as unknown as avro.Schema);
  const resolver = reader.createResolver(writer);
  return (frame) => {
    const { payload } = decodeFrame(frame);
    try {
      return reader.fromBuffer(payload, resolver) as T;
    } catch (cause) {
      throw new ContractError('NOT_AVRO', `${topic}: payload does not decode as the topic schema: ${(cause as Error).message}`, { cause });
    }
  };
}
