/**
 * JSON messages on a data channel: UTF-8 text validated with a schema on receipt. Anything that
 * is not valid UTF-8, not JSON or not of the schema's shape decodes to null.
 */
import * as v from 'valibot';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function encodeJsonMessage(message: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}

export function decodeJsonMessage<T>(schema: v.GenericSchema<unknown, T>, bytes: Uint8Array): T | null {
  try {
    const result = v.safeParse(schema, JSON.parse(decoder.decode(bytes)));
    return result.success ? result.output : null;
  } catch {
    return null;
  }
}
