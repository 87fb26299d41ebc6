/**
 * The CLI's `--ai`, `--model` and `--name` checked into what the headless session needs: the AI
 * peer's settings (its API key from the environment, never from a flag that shows in `ps`) and
 * its display name. Pure, so the rules are unit-tested without spawning a process.
 */
import type { AiSettings } from '../ai/ai-room.ts';
import { AiError, completionsUrl } from '../ai/openai-stream.ts';
import { cleanName } from '../sync/presence.ts';

export const AI_API_KEY_ENV = 'MESHPAD_AI_API_KEY';
const MAX_MODEL_LENGTH = 200;

export type AiPeerOptions = { ok: true; ai: AiSettings | null; name: string | null } | { ok: false; error: string };

export function aiPeerOptions(flags: { ai?: string; model?: string; name?: string }, env: Readonly<Record<string, string | undefined>>): AiPeerOptions {
  const model = flags.model?.trim() ?? '';
  if (flags.model !== undefined && flags.ai === undefined) return { ok: false, error: '--model needs --ai <endpoint>' };
  if (flags.ai !== undefined) {
    if (!model || model.length > MAX_MODEL_LENGTH) return { ok: false, error: `--ai needs --model <name> (1–${MAX_MODEL_LENGTH} characters)` };
    try {
      completionsUrl(flags.ai);
    } catch (error) {
      return { ok: false, error: `--ai: ${error instanceof AiError ? error.message : String(error)}` };
    }
  }
  const name = flags.name !== undefined ? cleanName(flags.name) : flags.ai !== undefined ? cleanName(`AI (${model})`) : null;
  if (flags.name !== undefined && !name) return { ok: false, error: '--name must not be empty' };
  const apiKey = env[AI_API_KEY_ENV]?.trim();
  const ai = flags.ai !== undefined ? { endpoint: flags.ai, model, ...(apiKey ? { apiKey } : {}) } : null;
  return { ok: true, ai, name };
}
