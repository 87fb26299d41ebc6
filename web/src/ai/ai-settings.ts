/**
 * The AI endpoint settings of this browser. They live in local storage only: the API key is
 * never sent to a peer or to the signaling worker (only to the endpoint itself).
 */
import * as v from 'valibot';
import type { KeyValueStore } from '../sync/recent-rooms.ts';
import type { AiSettings } from './ai-room.ts';
import { AiError, completionsUrl } from './openai-stream.ts';

export const AI_SETTINGS_KEY = 'meshpad:ai-settings';

const SettingsSchema = v.object({
  endpoint: v.pipe(v.string(), v.maxLength(500)),
  model: v.pipe(v.string(), v.maxLength(200)),
  apiKey: v.optional(v.pipe(v.string(), v.maxLength(500))),
});

export function readAiSettings(storage: KeyValueStore): AiSettings | null {
  try {
    const result = v.safeParse(SettingsSchema, JSON.parse(storage.getItem(AI_SETTINGS_KEY) ?? 'null'));
    if (!result.success || !result.output.endpoint || !result.output.model) return null;
    return result.output;
  } catch {
    return null;
  }
}

/** Validates and stores; returns an error message a person can act on, or null. */
export function saveAiSettings(storage: KeyValueStore, settings: { endpoint: string; model: string; apiKey: string }): string | null {
  const endpoint = settings.endpoint.trim();
  const model = settings.model.trim();
  if (!endpoint || !model) return 'Both the AI endpoint and the model are needed.';
  try {
    completionsUrl(endpoint);
  } catch (error) {
    return error instanceof AiError ? error.message : String(error);
  }
  const apiKey = settings.apiKey.trim();
  storage.setItem(AI_SETTINGS_KEY, JSON.stringify(apiKey ? { endpoint, model, apiKey } : { endpoint, model }));
  return null;
}
