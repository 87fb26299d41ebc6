/**
 * The AI answers of a room. The asker's browser calls the endpoint itself (the API key never
 * leaves it) and relays every chunk over ai-stream to every peer, in order; every peer holds the
 * same list of answers, and a peer that connects later receives the whole transcript.
 * Only the peer that started an answer may continue or end it; anything else is a misbehaving
 * peer and is dropped.
 * A peer without an endpoint of its own can `request` an answer from the room's AI peer (the
 * headless peer started with `--ai`, see ai-peer-service.ts): the AI peer streams it under the
 * request's id like any asker, and only the requester may Stop it.
 */
import { randomBase64Url } from '../net/base64url.ts';
import { systemClock, type Clock } from '../net/clock.ts';
import type { Mesh } from '../net/mesh.ts';
import type { PeerId } from '../net/protocol.ts';
import {
  AI_MESSAGE_VERSION,
  MAX_ANSWER_CHARS,
  MAX_CHUNK_CHARS,
  MAX_CONTEXT_CHARS,
  MAX_PROMPT_CHARS,
  MAX_TRANSCRIPT_ANSWERS,
  decodeAiMessage,
  encodeAiMessage,
  type AiMessage,
  type AnswerRecord,
} from './ai-messages.ts';
import { AiError, streamChat, type AiFetch, type ChatMessage } from './openai-stream.ts';

export interface AiSettings {
  readonly endpoint: string;
  readonly model: string;
  readonly apiKey?: string;
}

export interface Answer extends Omit<AnswerRecord, 'streamer'> {
  /** The peer that streams it; null for our own. */
  readonly from: PeerId | null;
}

export type AiTransport = Pick<Mesh, 'on' | 'send' | 'broadcast' | 'dropPeer'>;

/** A remote answer with no chunk for this long is shown as interrupted (its streamer is gone). */
export const STALLED_AFTER_MS = 60_000;
/** A request the room's AI peer has not started answering within this time fails plainly. */
export const REQUEST_TIMEOUT_MS = 20_000;
/** Answers kept (each up to MAX_ANSWER_CHARS); beyond this the oldest go, our own running ones never. */
export const MAX_KEPT_ANSWERS = 100;
/** Answers one peer may stream at once; a peer starting more is dropped (the AI peer serves several askers). */
export const MAX_STREAMING_PER_PEER = 8;

/** Requests and stops addressed to this peer as the room's AI peer (see ai-peer-service.ts). */
export type AiRequestHandler = (peer: PeerId, message: Extract<AiMessage, { t: 'request' | 'stop' }>) => void;

const SYSTEM_PROMPT = 'You are a helpful assistant inside a collaborative code editor. Answer concisely; use Markdown code blocks for code.';

export class AiRoom {
  private readonly answers = new Map<string, Answer>();
  private readonly running = new Map<string, AbortController>();
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: Array<() => void>;
  /** Last time each remote streaming answer made progress. */
  private readonly lastProgress = new Map<string, number>();
  private stallTimer: unknown = null;
  /** Our requests to an AI peer that has not started answering yet: id → timeout. */
  private readonly pending = new Map<string, unknown>();
  /** Answers streamed by an AI peer at our request (we may Stop them). */
  private readonly requested = new Set<string>();
  private requestHandler: AiRequestHandler | null = null;

  constructor(
    private readonly mesh: AiTransport,
    private readonly fetchImpl: AiFetch,
    private readonly clock: Clock = systemClock,
  ) {
    this.unsubscribe = [
      mesh.on('peer-open', (peer) => this.sendTranscript(peer)),
      mesh.on('message', ({ peer, label, data }) => {
        if (label === 'ai-stream') this.onMessage(peer, data);
      }),
    ];
  }

  list(): Answer[] {
    return [...this.answers.values()];
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the model; the answer streams to every peer. Resolves when it has ended, however it ended. */
  async ask(prompt: string, context: string, asker: string, settings: AiSettings, id: string = randomBase64Url(12)): Promise<Answer> {
    if (this.answers.has(id)) throw new Error(`answer id ${id} is already in use`);
    const trimmedPrompt = prompt.slice(0, MAX_PROMPT_CHARS);
    if (this.streamingFrom(null) >= MAX_STREAMING_PER_PEER) {
      // Peers would drop us for streaming more at once; this one stays local.
      const refused: Answer = { id, asker, prompt: trimmedPrompt, text: '', status: 'error', error: `${MAX_STREAMING_PER_PEER} answers are still streaming from here; wait for one to finish`, from: null, chunks: 0 };
      this.answers.set(id, refused);
      this.trim();
      this.notify();
      return refused;
    }
    this.answers.set(id, { id, asker, prompt: trimmedPrompt, text: '', status: 'streaming', error: null, from: null, chunks: 0 });
    this.trim();
    this.mesh.broadcast('ai-stream', encodeAiMessage({ v: AI_MESSAGE_VERSION, t: 'start', id, asker, prompt: trimmedPrompt }));
    this.notify();
    const controller = new AbortController();
    this.running.set(id, controller);
    const messages: ChatMessage[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: context ? `${trimmedPrompt}\n\nContext:\n\`\`\`\n${context}\n\`\`\`` : trimmedPrompt },
    ];
    let seq = 0;
    try {
      for await (const delta of streamChat({ ...settings, messages }, this.fetchImpl, controller.signal)) {
        for (let i = 0; i < delta.length; i += MAX_CHUNK_CHARS) {
          const text = delta.slice(i, i + MAX_CHUNK_CHARS);
          this.mesh.broadcast('ai-stream', encodeAiMessage({ v: AI_MESSAGE_VERSION, t: 'chunk', id, seq: seq++, text }));
          this.append(id, text);
        }
      }
      this.finish(id, seq, 'done', null);
    } catch (error) {
      const aborted = error instanceof AiError && error.kind === 'aborted';
      this.finish(id, seq, aborted ? 'stopped' : 'error', aborted ? null : error instanceof Error ? error.message : String(error));
    } finally {
      this.running.delete(id);
    }
    return this.list().find((a) => a.id === id)!;
  }

  /**
   * Asks the room's AI peer `aiPeer` to answer (this peer has no endpoint of its own). The
   * question shows at once; it fails plainly if the AI peer does not start within
   * REQUEST_TIMEOUT_MS. Returns the answer's id.
   */
  request(aiPeer: PeerId, prompt: string, context: string, asker: string): string {
    const id = randomBase64Url(12);
    const trimmedPrompt = prompt.slice(0, MAX_PROMPT_CHARS);
    this.answers.set(id, { id, asker, prompt: trimmedPrompt, text: '', status: 'streaming', error: null, from: aiPeer, chunks: 0 });
    this.requested.add(id);
    this.trim();
    this.pending.set(
      id,
      this.clock.setTimeout(() => {
        this.pending.delete(id);
        const answer = this.answers.get(id);
        if (answer?.status !== 'streaming' || answer.chunks > 0) return;
        this.answers.set(id, { ...answer, status: 'error', error: "the room's AI peer did not answer; it may have left" });
        this.notify();
      }, REQUEST_TIMEOUT_MS),
    );
    this.mesh.send(aiPeer, 'ai-stream', encodeAiMessage({ v: AI_MESSAGE_VERSION, t: 'request', id, asker, prompt: trimmedPrompt, context: context.slice(0, MAX_CONTEXT_CHARS) }));
    this.notify();
    return id;
  }

  /** Whether we may Stop this answer: it is still streaming and is ours or was asked by us. */
  canStop(answer: Answer): boolean {
    return answer.status === 'streaming' && (answer.from === null || this.requested.has(answer.id));
  }

  /** Stops one of our own answers, or asks the AI peer to stop the one we requested, for everyone. */
  stop(id: string): void {
    const controller = this.running.get(id);
    if (controller) return controller.abort();
    const answer = this.answers.get(id);
    if (answer?.from && this.requested.has(id) && answer.status === 'streaming') {
      this.mesh.send(answer.from, 'ai-stream', encodeAiMessage({ v: AI_MESSAGE_VERSION, t: 'stop', id }));
    }
  }

  /**
   * Tells the requester alone that we will not answer its request (busy): an answer that failed at
   * once. Neither stored here nor broadcast, so a peer spamming requests fills no one's list.
   */
  refuse(peer: PeerId, id: string, prompt: string, asker: string, reason: string): void {
    this.mesh.send(peer, 'ai-stream', encodeAiMessage({ v: AI_MESSAGE_VERSION, t: 'start', id, asker, prompt }));
    this.mesh.send(peer, 'ai-stream', encodeAiMessage({ v: AI_MESSAGE_VERSION, t: 'end', id, seq: 0, status: 'error', error: reason }));
  }

  /** Makes this peer answer `request`/`stop` messages (the room's AI peer); others ignore them. */
  handleRequests(handler: AiRequestHandler | null): void {
    this.requestHandler = handler;
  }

  /** Whether `id` is an answer this room already knows (so a request cannot reuse it). */
  has(id: string): boolean {
    return this.answers.has(id);
  }

  destroy(): void {
    if (this.stallTimer !== null) this.clock.clearTimeout(this.stallTimer);
    for (const timer of this.pending.values()) this.clock.clearTimeout(timer);
    for (const controller of this.running.values()) controller.abort();
    for (const off of this.unsubscribe) off();
    this.listeners.clear();
  }

  private append(id: string, text: string): void {
    const answer = this.answers.get(id);
    if (!answer) return;
    this.answers.set(id, { ...answer, text: (answer.text + text).slice(0, MAX_ANSWER_CHARS), chunks: answer.chunks + 1 });
    this.notify();
  }

  private finish(id: string, seq: number, status: 'done' | 'stopped' | 'error', error: string | null): void {
    this.mesh.broadcast('ai-stream', encodeAiMessage({ v: AI_MESSAGE_VERSION, t: 'end', id, seq, status, error }));
    const answer = this.answers.get(id);
    if (answer) this.answers.set(id, { ...answer, status, error });
    this.notify();
  }

  private sendTranscript(peer: PeerId): void {
    // A request the AI peer has not started is not an answer yet: the AI peer announces it.
    const answers = this.list()
      .filter((answer) => !this.pending.has(answer.id))
      .slice(-MAX_TRANSCRIPT_ANSWERS)
      .map(({ from, ...record }) => ({ ...record, streamer: from }));
    if (answers.length > 0) this.mesh.send(peer, 'ai-stream', encodeAiMessage({ v: AI_MESSAGE_VERSION, t: 'transcript', answers }));
  }

  private onMessage(peer: PeerId, data: Uint8Array): void {
    const message = decodeAiMessage(data);
    if (!message) return this.mesh.dropPeer(peer, 'ai-stream: malformed message');
    switch (message.t) {
      case 'start':
        if (this.pending.has(message.id) && this.answers.get(message.id)?.from === peer) {
          // The AI peer starts answering our request.
          this.clock.clearTimeout(this.pending.get(message.id));
          this.pending.delete(message.id);
          this.answers.delete(message.id);
        }
        if (this.answers.has(message.id)) return this.mesh.dropPeer(peer, 'ai-stream: answer id reused');
        if (this.streamingFrom(peer) >= MAX_STREAMING_PER_PEER) {
          return this.mesh.dropPeer(peer, `ai-stream: more than ${MAX_STREAMING_PER_PEER} answers at once`);
        }
        this.answers.set(message.id, { id: message.id, asker: message.asker, prompt: message.prompt, text: '', status: 'streaming', error: null, from: peer, chunks: 0 });
        break;
      case 'chunk': {
        const answer = this.answers.get(message.id);
        if (!answer || answer.from !== peer || answer.status !== 'streaming' || message.seq !== answer.chunks) {
          return this.mesh.dropPeer(peer, 'ai-stream: chunk out of order or not its own');
        }
        this.answers.set(message.id, { ...answer, text: (answer.text + message.text).slice(0, MAX_ANSWER_CHARS), chunks: answer.chunks + 1 });
        this.lastProgress.set(message.id, this.clock.now());
        break;
      }
      case 'end': {
        const answer = this.answers.get(message.id);
        if (!answer || answer.from !== peer || message.seq !== answer.chunks) return this.mesh.dropPeer(peer, 'ai-stream: end out of order or not its own');
        this.answers.set(message.id, { ...answer, status: message.status, error: message.error });
        break;
      }
      case 'request':
      case 'stop':
        this.requestHandler?.(peer, message);
        return;
      case 'transcript':
        for (const { streamer, ...record } of message.answers) {
          const existing = this.answers.get(record.id);
          if (existing?.from === null) continue; // our own answer: we know best
          // The streamer's own transcript is authoritative: it precedes its next chunk on this
          // ordered channel. Others' copies only fill in what we have not seen.
          if (streamer === null || !existing) this.answers.set(record.id, { ...record, from: streamer ?? peer });
        }
        break;
    }
    this.trim();
    this.watchStalls();
    this.notify();
  }

  /** Answers still streaming from `from` (null: this page). */
  private streamingFrom(from: PeerId | null): number {
    let count = 0;
    for (const answer of this.answers.values()) if (answer.from === from && answer.status === 'streaming') count++;
    return count;
  }

  /** Keeps at most MAX_KEPT_ANSWERS, dropping the oldest that are neither ours in progress nor awaited. */
  private trim(): void {
    for (const [id, answer] of this.answers) {
      if (this.answers.size <= MAX_KEPT_ANSWERS) return;
      if (this.running.has(id) || this.pending.has(id) || (answer.from === null && answer.status === 'streaming')) continue;
      this.answers.delete(id);
      this.lastProgress.delete(id);
    }
  }

  /** Remote answers still streaming are watched: one that stops making progress ends as interrupted. */
  private watchStalls(): void {
    const now = this.clock.now();
    for (const answer of this.answers.values()) {
      if (answer.from === null || answer.status !== 'streaming') {
        this.lastProgress.delete(answer.id);
        continue;
      }
      if (!this.lastProgress.has(answer.id)) this.lastProgress.set(answer.id, now);
    }
    if (this.stallTimer !== null || this.lastProgress.size === 0) return;
    this.stallTimer = this.clock.setTimeout(() => {
      this.stallTimer = null;
      const at = this.clock.now();
      let changed = false;
      for (const [id, since] of this.lastProgress) {
        const answer = this.answers.get(id);
        if (!answer || answer.status !== 'streaming' || at - since < STALLED_AFTER_MS) continue;
        this.answers.set(id, { ...answer, status: 'error', error: 'interrupted: the peer streaming this answer stopped sending' });
        this.lastProgress.delete(id);
        changed = true;
      }
      if (changed) this.notify();
      this.watchStalls();
    }, STALLED_AFTER_MS / 4);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
