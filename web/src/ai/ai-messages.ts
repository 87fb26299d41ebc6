/**
 * Messages of the `ai-stream` channel (reliable, ordered), JSON in UTF-8, validated on receipt:
 * - `start`: an answer begins (who asked, the prompt);
 * - `chunk`: the next piece of text, `seq` counting from 0 with no gaps;
 * - `end`: done, stopped by the asker, or failed (with a message every peer shows);
 * - `transcript`: every answer the sender has, for a peer that just connected;
 * - `request`: to the room's AI peer only: answer this prompt (it then streams the answer under
 *   the request's id, as any asker does); never carries an API key;
 * - `stop`: to the AI peer only: stop the answer to my request.
 */
import * as v from 'valibot';
import { decodeJsonMessage, encodeJsonMessage } from '../net/json-message.ts';
import { PeerIdSchema } from '../net/protocol.ts';

export const AI_MESSAGE_VERSION = 1;
export const MAX_PROMPT_CHARS = 8_000;
export const MAX_CHUNK_CHARS = 16_000;
export const MAX_ANSWER_CHARS = 1_000_000;
export const MAX_TRANSCRIPT_ANSWERS = 50;
/** The selection (or document) a request sends to the AI peer as context. */
export const MAX_CONTEXT_CHARS = 100_000;

export const AnswerIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,32}$/));
const Name = v.pipe(v.string(), v.minLength(1), v.maxLength(40));
const Status = v.picklist(['streaming', 'done', 'stopped', 'error']);

const AnswerSchema = v.object({
  id: AnswerIdSchema,
  asker: Name,
  prompt: v.pipe(v.string(), v.maxLength(MAX_PROMPT_CHARS)),
  text: v.pipe(v.string(), v.maxLength(MAX_ANSWER_CHARS)),
  status: Status,
  error: v.nullable(v.pipe(v.string(), v.maxLength(500))),
  /** Chunks streamed so far: the next chunk from the streamer has this seq. */
  chunks: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** The peer streaming it, or null when that is the sender of the transcript. */
  streamer: v.nullable(PeerIdSchema),
});

const MessageSchema = v.variant('t', [
  v.object({ v: v.literal(AI_MESSAGE_VERSION), t: v.literal('start'), id: AnswerIdSchema, asker: Name, prompt: v.pipe(v.string(), v.maxLength(MAX_PROMPT_CHARS)) }),
  v.object({ v: v.literal(AI_MESSAGE_VERSION), t: v.literal('chunk'), id: AnswerIdSchema, seq: v.pipe(v.number(), v.integer(), v.minValue(0)), text: v.pipe(v.string(), v.maxLength(MAX_CHUNK_CHARS)) }),
  v.object({
    v: v.literal(AI_MESSAGE_VERSION),
    t: v.literal('end'),
    id: AnswerIdSchema,
    seq: v.pipe(v.number(), v.integer(), v.minValue(0)),
    status: v.picklist(['done', 'stopped', 'error']),
    error: v.nullable(v.pipe(v.string(), v.maxLength(500))),
  }),
  v.object({
    v: v.literal(AI_MESSAGE_VERSION),
    t: v.literal('request'),
    id: AnswerIdSchema,
    asker: Name,
    prompt: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_PROMPT_CHARS)),
    context: v.pipe(v.string(), v.maxLength(MAX_CONTEXT_CHARS)),
  }),
  v.object({ v: v.literal(AI_MESSAGE_VERSION), t: v.literal('stop'), id: AnswerIdSchema }),
  v.object({ v: v.literal(AI_MESSAGE_VERSION), t: v.literal('transcript'), answers: v.pipe(v.array(AnswerSchema), v.maxLength(MAX_TRANSCRIPT_ANSWERS)) }),
]);

export type AiMessage = v.InferOutput<typeof MessageSchema>;
export type AnswerRecord = v.InferOutput<typeof AnswerSchema>;
export type AnswerStatus = AnswerRecord['status'];

export function encodeAiMessage(message: AiMessage): Uint8Array {
  return encodeJsonMessage(message);
}

export function decodeAiMessage(bytes: Uint8Array): AiMessage | null {
  return decodeJsonMessage(MessageSchema, bytes);
}
