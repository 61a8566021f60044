import avro from 'avsc';
import { ContractError, topicCodec, topicFor, type TopicCodec, type TopicMessages, type TopicName } from '@foresight/contracts';
import type { PayloadDecoder, SchemaCatalog } from './schema-catalog.js';
import type { SchemaRegistryClient } from './schema-registry-client.js';

/**
 * A SchemaCatalog backed by the registry: each topic's schema is registered under `<fullTopic>-value` once, and
 * decoders are cached by id, so the hot path makes no registry call. Payloads written under another (older or
 * newer) schema are decoded by Avro schema resolution into the current type, then validated.
 */
export class RegistrySchemaCatalog implements SchemaCatalog {
  private readonly ids = new Map<TopicName, Promise<number>>();
  private readonly decoders = new Map<string, Promise<PayloadDecoder<TopicName>>>();

  constructor(private readonly registry: SchemaRegistryClient, private readonly topicPrefix: string) {}

  schemaIdOf(topic: TopicName): Promise<number> {
    let id = this.ids.get(topic);
    if (id === undefined) {
      id = this.registry.register(`${topicFor(this.topicPrefix, topic)}-value`, topicCodec(topic).schemaText);
      // A failed registration is not cached: the next call tries again.
      id.catch(() => this.ids.delete(topic));
      this.ids.set(topic, id);
    }
    return id;
  }

  /**
   * Validates the messages (all or none: ContractError INVALID_MESSAGE) and encodes each one framed with the topic's
   * schema id. The id is the registered id of the codec's own schema text, so the codec's Avro type encodes them
   * (synchronously, straight into the frame): the same bytes as the registry library's encoder.
   */
  async encode<N extends TopicName>(topic: N, messages: readonly TopicMessages[N][]): Promise<Buffer[]> {
    const codec: TopicCodec<TopicMessages[N]> = topicCodec(topic);
    const schemaId = await this.schemaIdOf(topic);
    // encodeFramed validates each message; nothing is sent unless every one encodes (all or none).
    const frames = new Array<Buffer>(messages.length);
    for (let i = 0; i < messages.length; i++) frames[i] = codec.encodeFramed(schemaId, messages[i]);
    return frames;
  }

  decoderFor<N extends TopicName>(topic: N, schemaId: number): Promise<PayloadDecoder<N>> {
    const cacheKey = `${topic}#${schemaId}`;
    let decoder = this.decoders.get(cacheKey);
    if (decoder === undefined) {
      decoder = this.buildDecoder(topic, schemaId);
      decoder.catch(() => this.decoders.delete(cacheKey));
      this.decoders.set(cacheKey, decoder);
    }
    return decoder as Promise<PayloadDecoder<N>>;
  }

  private async buildDecoder<N extends TopicName>(topic: N, schemaId: number): Promise<PayloadDecoder<TopicName>> {
    const codec: TopicCodec<TopicMessages[N]> = topicCodec(topic);
    const ownId = await this.schemaIdOf(topic);
    if (schemaId === ownId) return (payload) => codec.decode(payload);
    const writer = await this.registry.writerType(schemaId);
    if (writer === undefined) throw new ContractError('UNKNOWN_SCHEMA', `${topic}: schema id ${schemaId} is not an Avro schema in the registry`);
    const reader = avro.Type.forSchema(JSON.parse(codec.schemaText) as avro.Schema);
    let resolver: avro.Resolver;
    try {
      if (writer.equals(reader)) return (payload) => codec.decode(payload);
      resolver = reader.createResolver(writer);
    } catch (cause) {
      throw new ContractError('UNKNOWN_SCHEMA', `${topic}: schema id ${schemaId} cannot be read as the current schema: ${(cause as Error).message}`, { cause });
    }
    return (payload) => {
      let value: unknown;
      try {
        value = reader.fromBuffer(payload, resolver);
      } catch (cause) {
        throw new ContractError('NOT_AVRO', `${topic}: payload does not decode under schema id ${schemaId}: ${(cause as Error).message}`, { cause });
      }
      codec.validate(value);
      return value;
    };
  }
}
