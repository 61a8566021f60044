import { ContractError, topicCodec, topicNames, type TopicMessages, type TopicName } from '@foresight/contracts';

/** Decodes one topic's Avro payload written under one schema id. */
export type PayloadDecoder<N extends TopicName> = (payload: Buffer) => TopicMessages[N];

/** Maps topics to the schema ids their messages are framed with, and schema ids back to decoders. */
export interface SchemaCatalog {
  /** The id the topic's current schema is framed with (registered on first use, then cached). */
  schemaIdOf(topic: TopicName): Promise<number>;
  /**
   * A decoder for payloads of `topic` written under `schemaId`. Throws ContractError UNKNOWN_SCHEMA (poison) when the
   * id is unknown or incompatible, RuntimeError REGISTRY_UNAVAILABLE when it cannot be looked up right now.
   */
  decoderFor<N extends TopicName>(topic: N, schemaId: number): Promise<PayloadDecoder<N>>;
}

/** The in-process catalog of the embedded mode: topic i's schema has id i + 1, nothing else is known. */
export class LocalSchemaCatalog implements SchemaCatalog {
  schemaIdOf(topic: TopicName): Promise<number> {
    return Promise.resolve(topicNames.indexOf(topic) + 1);
  }

  decoderFor<N extends TopicName>(topic: N, schemaId: number): Promise<PayloadDecoder<N>> {
    if (schemaId !== topicNames.indexOf(topic) + 1) {
      return Promise.reject(new ContractError('UNKNOWN_SCHEMA', `${topic}: unknown schema id ${schemaId}`));
    }
    const codec = topicCodec(topic);
    return Promise.resolve((payload: Buffer) => codec.decode(payload));
  }
}
