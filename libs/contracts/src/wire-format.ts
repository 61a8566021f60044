import { ContractError } from './contract-error.js';

const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

/** Confluent wire framing: magic byte 0, the schema id as a big-endian uint32, then the Avro payload. */
export function encodeFrame(schemaId: number, payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt8(MAGIC_BYTE, 0);
  frame.writeUInt32BE(schemaId, 1);
  payload.copy(frame, HEADER_BYTES);
  return frame;
}

/** Splits a framed message; NOT_AVRO when it is too short or lacks the magic byte. */
export function decodeFrame(frame: Buffer): { schemaId: number; payload: Buffer } {
  if (frame.length < HEADER_BYTES || frame.readUInt8(0) !== MAGIC_BYTE) {
    throw new ContractError('NOT_AVRO', `not a schema-registry framed Avro message (${frame.length} bytes, first byte ${frame.length > 0 ? frame.readUInt8(0) : 'none'})`);
  }
  return { schemaId: frame.readUInt32BE(1), payload: frame.subarray(HEADER_BYTES) };
}
