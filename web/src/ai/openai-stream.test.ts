import { describe, expect, it } from 'vitest';
import { AiError, completionsUrl, streamChat, type AiFetch, type StreamResponse } from './openai-stream.ts';

function sse(...datas: string[]): string {
  return datas.map((d) => `data: ${d}\n\n`).join('');
}
const delta = (text: string) => JSON.stringify({ choices: [{ delta: { content: text } }] });

function response(status: number, chunks: string[], breakAfter?: number): StreamResponse {
  const encoder = new TextEncoder();
  let i = 0;
  return {
    ok: status >= 200 && status < 300,
    status,
    text: async () => chunks.join(''),
    body: new ReadableStream<Uint8Array>({
      pull(controller) {
        if (breakAfter !== undefined && i === breakAfter) {
          controller.error(new Error('connection reset'));
          return;
        }
        if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]!));
        else controller.close();
      },
    }),
  };
}

const request = { endpoint: 'http://127.0.0.1:11434/v1/', model: 'm', apiKey: 'sk-test', messages: [{ role: 'user' as const, content: 'hi' }] };

async function collect(fetchImpl: AiFetch, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for await (const text of streamChat(request, fetchImpl, signal)) out.push(text);
  return out;
}

async function failure(fetchImpl: AiFetch): Promise<AiError> {
  try {
    await collect(fetchImpl);
  } catch (error) {
    if (error instanceof AiError) return error;
    throw error;
  }
  throw new Error('expected an AiError');
}

describe('streamChat', () => {
  it('posts a streaming request with the key and yields deltas until [DONE]', async () => {
    let seen: { url: string; headers: Record<string, string>; body: string } | null = null;
    const out = await collect(async (url, init) => {
      seen = { url, headers: init.headers, body: init.body };
      return response(200, [sse(delta('Hel')), sse(delta('lo'), JSON.stringify({ choices: [{ delta: {} }] }), '[DONE]'), sse(delta('ignored'))]);
    });
    expect(out).toEqual(['Hel', 'lo']);
    expect(seen!.url).toBe('http://127.0.0.1:11434/v1/chat/completions');
    expect(seen!.headers.authorization).toBe('Bearer sk-test');
    expect(JSON.parse(seen!.body)).toEqual({ model: 'm', messages: request.messages, stream: true });
  });

  it.each([
    ['unreachable', async () => Promise.reject(new TypeError('Failed to fetch')), 'unreachable', /cannot reach http:\/\/127\.0\.0\.1:11434/],
    ['401', async () => response(401, ['nope']), 'unauthorized', /API key/],
    ['500', async () => response(500, ['model not found']), 'http', /HTTP 500: model not found/],
    ['not JSON', async () => response(200, [sse('{oops')]), 'malformed', /not JSON/],
    ['a non-text delta', async () => response(200, [sse(JSON.stringify({ choices: [{ delta: { content: 5 } }] }))]), 'malformed', /without text/],
    ['a stream that ends without [DONE]', async () => response(200, [sse(delta('partial'))]), 'cut', /ended before/],
    ['a stream that breaks', async () => response(200, [sse(delta('a')), sse(delta('b'))], 1), 'cut', /broke off/],
  ] as const)('fails clearly when %s', async (_name, fetchImpl, kind, message) => {
    const error = await failure(fetchImpl as AiFetch);
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
  });

  it('reports an abort as stopped', async () => {
    const controller = new AbortController();
    const fetchImpl: AiFetch = async (_url, init) => {
      init.signal?.addEventListener('abort', () => undefined);
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    };
    await expect(collect(fetchImpl, controller.signal)).rejects.toMatchObject({ kind: 'aborted' });
  });

  it('rejects endpoints that are not http(s) URLs', () => {
    expect(() => completionsUrl('localhost:11434')).toThrow(AiError);
    expect(() => completionsUrl('file:///etc/passwd')).toThrow(/http/);
    expect(completionsUrl('https://api.example.com/v1')).toBe('https://api.example.com/v1/chat/completions');
  });
});
