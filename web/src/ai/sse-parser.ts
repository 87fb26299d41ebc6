/**
 * Incremental parser for Server-Sent Events (the WHATWG event-stream format) as OpenAI-compatible
 * chat-completion endpoints stream them. Bytes may arrive split anywhere, even inside a UTF-8
 * sequence or a CRLF; lines that are not fields (garbage, comments) are ignored, as the format
 * says.
 */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
}

/** A single event's data may not grow past this (a broken or hostile stream). */
export const MAX_EVENT_CHARS = 1024 * 1024;

export class SseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SseError';
  }
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private data: string[] = [];
  private dataChars = 0;
  private eventType = '';
  private lastId: string | null = null;
  private pendingCR = false;

  /** Feeds bytes; returns the events they completed. */
  push(chunk: Uint8Array): SseEvent[] {
    return this.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** The stream ended: a final event without its blank line is dropped, as the format says. */
  end(): SseEvent[] {
    const events = this.feed(this.decoder.decode());
    this.buffer = '';
    this.data = [];
    return events;
  }

  private feed(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.pendingCR && text.startsWith('\n')) text = text.slice(1);
    this.pendingCR = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (ch !== '\n' && ch !== '\r') continue;
      const line = this.buffer.slice(start, i);
      if (ch === '\r') {
        if (i + 1 < this.buffer.length) {
          if (this.buffer[i + 1] === '\n') i++;
        } else {
          this.pendingCR = true;
        }
      }
      start = i + 1;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > MAX_EVENT_CHARS) throw new SseError('event stream line too long');
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.eventType = '';
        return null;
      }
      const event = { event: this.eventType || 'message', data: this.data.join('\n'), id: this.lastId };
      this.data = [];
      this.dataChars = 0;
      this.eventType = '';
      return event;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.dataChars += value.length;
        if (this.dataChars > MAX_EVENT_CHARS) throw new SseError('event data too long');
        this.data.push(value);
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      default:
        // `retry` and unknown fields: nothing for us.
        break;
    }
    return null;
  }
}
