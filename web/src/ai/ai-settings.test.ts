import { describe, expect, it } from 'vitest';
import { AI_SETTINGS_KEY, readAiSettings, saveAiSettings } from './ai-settings.ts';

function memory(initial: Record<string, string> = {}) {
  const data = { ...initial };
  return { data, getItem: (k: string) => data[k] ?? null, setItem: (k: string, v: string) => void (data[k] = v) };
}

describe('AI settings', () => {
  it('saves and reads back, trimming input and omitting an empty key', () => {
    const storage = memory();
    expect(saveAiSettings(storage, { endpoint: ' http://localhost:11434/v1 ', model: ' llama3 ', apiKey: ' ' })).toBeNull();
    expect(readAiSettings(storage)).toEqual({ endpoint: 'http://localhost:11434/v1', model: 'llama3' });
    expect(saveAiSettings(storage, { endpoint: 'https://api.example.com/v1', model: 'm', apiKey: 'sk-1' })).toBeNull();
    expect(readAiSettings(storage)).toEqual({ endpoint: 'https://api.example.com/v1', model: 'm', apiKey: 'sk-1' });
  });

  it('refuses incomplete or invalid settings with a clear message', () => {
    const storage = memory();
    expect(saveAiSettings(storage, { endpoint: '', model: 'm', apiKey: '' })).toMatch(/needed/);
    expect(saveAiSettings(storage, { endpoint: 'localhost:11434', model: 'm', apiKey: '' })).toMatch(/not a URL|http/);
    expect(storage.data[AI_SETTINGS_KEY]).toBeUndefined();
  });

  it('ignores stored garbage', () => {
    expect(readAiSettings(memory({ [AI_SETTINGS_KEY]: '{bad' }))).toBeNull();
    expect(readAiSettings(memory({ [AI_SETTINGS_KEY]: '{"endpoint":5}' }))).toBeNull();
    expect(readAiSettings(memory({ [AI_SETTINGS_KEY]: '{"endpoint":"","model":""}' }))).toBeNull();
  });
});
