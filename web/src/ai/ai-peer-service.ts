/**
 * The room's AI peer (`npm run peer -- <room-url> --ai <endpoint> --model <name>`): answers the
 * `request`s of peers that have no endpoint of their own, streaming each answer to the whole
 * room through AiRoom exactly as a browser asker does. It calls the model with its own settings
 * (its own API key, if any): a request carries only a prompt and its context. Bounded work: one
 * running answer per requester and MAX_RUNNING_ANSWERS in all; anything beyond is refused with a
 * message to the requester alone.
 */
import type { PeerId } from '../net/protocol.ts';
import type { AiRoom, AiSettings } from './ai-room.ts';

export const MAX_RUNNING_ANSWERS = 3;

export class AiPeerService {
  /** Running answer id → the peer that requested it (the only one that may stop it). */
  private readonly running = new Map<string, PeerId>();

  constructor(
    private readonly ai: AiRoom,
    private readonly settings: AiSettings,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    ai.handleRequests((peer, message) => {
      if (message.t === 'stop') {
        if (this.running.get(message.id) === peer) ai.stop(message.id);
        return;
      }
      this.answer(peer, message.id, message.prompt, message.context, message.asker);
    });
  }

  /** Requests being answered now. */
  get busy(): number {
    return this.running.size;
  }

  destroy(): void {
    this.ai.handleRequests(null);
  }

  private answer(peer: PeerId, id: string, prompt: string, context: string, asker: string): void {
    if (this.ai.has(id)) return; // a replayed or colliding id: never answered twice
    const mine = [...this.running.values()].filter((p) => p === peer).length;
    if (mine > 0) return this.ai.refuse(peer, id, prompt, asker, 'the AI peer is still answering your previous question; Stop it or wait');
    if (this.running.size >= MAX_RUNNING_ANSWERS) return this.ai.refuse(peer, id, prompt, asker, 'the AI peer is busy; try again in a moment');
    this.running.set(id, peer);
    this.log(`answering ${asker} (${id})`);
    void this.ai
      .ask(prompt, context, asker, this.settings, id)
      .then((answer) => this.log(`answer ${id} ${answer.status}${answer.error ? `: ${answer.error}` : ''}`))
      .catch((error: unknown) => this.log(`answer ${id} failed: ${String(error)}`))
      .finally(() => this.running.delete(id));
  }
}
