/**
 * Streams a chat completion from an OpenAI-compatible endpoint (`POST <base>/chat/completions`
 * with `stream: true`: Ollama, llama.cpp's server, vLLM, hosted APIs), yielding the text deltas.
 * Every way it can fail ends in an AiError whose message a person can act on; nothing hangs.
 */
import { SseError, SseParser } from './sse-parser.ts';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface ChatRequest {
  /** Base URL, e.g. `http://localhost:11434/v1`. */
  readonly endpoint: string;
  readonly model: string;
  readonly apiKey?: string;
  readonly messages: readonly ChatMessage[];
}

export type AiErrorKind = 'bad-endpoint' | 'unreachable' | 'unauthorized' | 'http' | 'malformed' | 'cut' | 'aborted';

export class AiError extends Error {
  constructor(
    readonly kind: AiErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'AiError';
  }
}

export interface StreamResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}

export type AiFetch = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<StreamResponse>;

export function completionsUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new AiError('bad-endpoint', `"${endpoint}" is not a URL; use e.g. http://localhost:11434/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AiError('bad-endpoint', 'the AI endpoint must be an http(s) URL');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
  return url.toString();
}

function deltaOf(data: string): string {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new AiError('malformed', 'the AI endpoint sent something that is not JSON');
  }
  const choice = (json as { choices?: Array<{ delta?: { content?: unknown } }> }).choices?.[0];
  const content = choice?.delta?.content;
  if (content === undefined || content === null) return '';
  if (typeof content !== 'string') throw new AiError('malformed', 'the AI endpoint sent a delta without text');
  return content;
}

export async function* streamChat(request: ChatRequest, fetchImpl: AiFetch, signal?: AbortSignal): AsyncGenerator<string, void, void> {
  const url = completionsUrl(request.endpoint);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if (request.apiKey) headers.authorization = `Bearer ${request.apiKey}`;
  let response: StreamResponse;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: request.model, messages: request.messages, stream: true }),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw new AiError('aborted', 'stopped');
    throw new AiError('unreachable', `cannot reach ${new URL(url).origin} (is it running, and does it allow this origin (CORS)?): ${String(error)}`);
  }
  if (response.status === 401 || response.status === 403) throw new AiError('unauthorized', `the AI endpoint refused the API key (HTTP ${response.status})`);
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 200);
    throw new AiError('http', `the AI endpoint answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
  }
  if (!response.body) throw new AiError('malformed', 'the AI endpoint sent no stream');
  const parser = new SseParser();
  const reader = response.body.getReader();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw new AiError('aborted', 'stopped');
        throw new AiError('cut', `the answer stream broke off: ${String(error)}`);
      }
      const events = chunk.done ? parser.end() : parser.push(chunk.value);
      for (const event of events) {
        if (event.data === '[DONE]') return;
        const text = deltaOf(event.data);
        if (text) yield text;
      }
      if (chunk.done) throw new AiError('cut', 'the answer stream ended before it was complete');
    }
  } catch (error) {
    if (error instanceof SseError) throw new AiError('malformed', error.message);
    throw error;
  } finally {
    reader.releaseLock();
  }
}
