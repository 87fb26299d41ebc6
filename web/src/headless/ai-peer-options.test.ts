import { describe, expect, it } from 'vitest';
import { AI_API_KEY_ENV, aiPeerOptions } from './ai-peer-options.ts';

describe('aiPeerOptions (npm run peer -- --ai/--model/--name)', () => {
  it('builds the AI peer settings, with the key from the environment and a default name', () => {
    expect(aiPeerOptions({ ai: 'http://localhost:11434/v1', model: ' llama3.2 ' }, { [AI_API_KEY_ENV]: ' sk-x ' })).toEqual({
      ok: true,
      ai: { endpoint: 'http://localhost:11434/v1', model: 'llama3.2', apiKey: 'sk-x' },
      name: 'AI (llama3.2)',
    });
    expect(aiPeerOptions({ ai: 'http://localhost:11434/v1', model: 'm', name: 'Team AI' }, {})).toEqual({
      ok: true,
      ai: { endpoint: 'http://localhost:11434/v1', model: 'm' },
      name: 'Team AI',
    });
    expect(aiPeerOptions({}, { [AI_API_KEY_ENV]: 'sk-unused' })).toEqual({ ok: true, ai: null, name: null });
  });

  it('refuses incomplete or bad flags with a message', () => {
    expect(aiPeerOptions({ ai: 'http://localhost:11434/v1' }, {})).toMatchObject({ ok: false, error: expect.stringContaining('--ai needs --model') });
    expect(aiPeerOptions({ ai: 'http://localhost:11434/v1', model: 'x'.repeat(201) }, {})).toMatchObject({ ok: false, error: expect.stringContaining('--ai needs --model') });
    expect(aiPeerOptions({ model: 'm' }, {})).toMatchObject({ ok: false, error: '--model needs --ai <endpoint>' });
    expect(aiPeerOptions({ ai: 'ftp://host/v1', model: 'm' }, {})).toMatchObject({ ok: false, error: expect.stringContaining('http(s)') });
    expect(aiPeerOptions({ ai: 'not a url', model: 'm' }, {})).toMatchObject({ ok: false, error: expect.stringContaining('not a URL') });
    expect(aiPeerOptions({ name: '   ' }, {})).toMatchObject({ ok: false, error: '--name must not be empty' });
  });
});
