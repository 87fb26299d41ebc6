import { describe, expect, it } from 'vitest';
import { MAX_EVENT_CHARS, SseError, SseParser, type SseEvent } from './sse-parser.ts';

const STREAM =
  ': keep-alive comment\n' +
  'data: {"choices":[{"delta":{"content":"Hé"}}]}\n\n' +
  'garbage line without colon\n' +
  'event: custom\r\n' +
  'data: line one\r\n' +
  'data: line two\r\n\r\n' +
  'id: 42\n' +
  'data: 🚀 done\n\n' +
  'data: [DONE]\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'message', data: '{"choices":[{"delta":{"content":"Hé"}}]}', id: null },
  { event: 'custom', data: 'line one\nline two', id: null },
  { event: 'message', data: '🚀 done', id: '42' },
  { event: 'message', data: '[DONE]', id: '42' },
];

function parseInChunks(bytes: Uint8Array, cuts: number[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  let last = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...parser.push(bytes.subarray(last, cut)));
    last = cut;
  }
  events.push(...parser.end());
  return events;
}

describe('SseParser', () => {
  const bytes = new TextEncoder().encode(STREAM);

  it('parses a whole stream', () => {
    expect(parseInChunks(bytes, [])).toEqual(EXPECTED);
  });

  it('gives the same events when the bytes are split at every possible position', () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parseInChunks(bytes, [cut])).toEqual(EXPECTED);
    }
  });

  it('gives the same events when fed one byte at a time', () => {
    expect(parseInChunks(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1))).toEqual(EXPECTED);
  });

  it('drops a final event that never got its blank line', () => {
    expect(parseInChunks(new TextEncoder().encode('data: complete\n\ndata: cut off'), [])).toEqual([
      { event: 'message', data: 'complete', id: null },
    ]);
  });

  it('refuses an endless line', () => {
    const parser = new SseParser();
    expect(() => parser.push(new TextEncoder().encode('x'.repeat(MAX_EVENT_CHARS + 1)))).toThrow(SseError);
  });

  it('refuses endless data', () => {
    const parser = new SseParser();
    const line = new TextEncoder().encode(`data: ${'y'.repeat(1000)}\n`);
    expect(() => {
      for (let i = 0; i < 2000; i++) parser.push(line);
    }).toThrow(/too long/);
  });
});
