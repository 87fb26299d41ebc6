import { describe, expect, it } from 'vitest';
import {
  codePassword,
  completeJoinCode,
  completeWord,
  formatJoinCode,
  joinCodeErrorText,
  parseJoinCode,
  randomWords,
  resolveWord,
  UNIQUE_PREFIX,
} from './join-code.ts';
import { WORDS } from './wordlist.ts';

describe('wordlist', () => {
  it('has 256 distinct lower-case words whose first three letters are unique', () => {
    expect(WORDS.length).toBe(256);
    expect(new Set(WORDS).size).toBe(256);
    for (const w of WORDS) expect(w).toMatch(/^[a-z]{4,8}$/);
    expect(new Set(WORDS.map((w) => w.slice(0, UNIQUE_PREFIX))).size).toBe(256);
  });
});

describe('join code format and parsing', () => {
  it('formats nameplate-word-word', () => {
    expect(formatJoinCode({ nameplate: 7, words: ['amber', 'lagoon'] })).toBe('7-amber-lagoon');
  });

  it.each([
    '7-amber-lagoon',
    '7 amber lagoon',
    '  7  AMBER   Lagoon ',
    '7amber-lagoon',
    '7--amber__lagoon',
    '7.amber.lagoon',
    '7-amb-lag',
    '007-amber-lagoon',
  ])('accepts %j', (input) => {
    const r = parseJoinCode(input);
    expect(r).toEqual({ ok: true, code: { nameplate: 7, words: ['amber', 'lagoon'] } });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['amber-lagoon', 'no-nameplate'],
    ['0-amber-lagoon', 'bad-nameplate'],
    ['10000-amber-lagoon', 'bad-nameplate'],
    ['99999999999999999999-amber-lagoon', 'bad-nameplate'],
    ['7-amber', 'word-count'],
    ['7-amber-lagoon-acorn', 'word-count'],
    ['7-amber-xylophone', 'unknown-word'],
    ['7-am-lagoon', 'unknown-word'],
    ['7-amber-l4goon', 'unknown-word'],
  ])('rejects %j with %s and a readable message', (input, reason) => {
    const r = parseJoinCode(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.reason).toBe(reason);
    expect(joinCodeErrorText(r.error).length).toBeGreaterThan(10);
  });

  it('cuts very long input instead of working on it', () => {
    const r = parseJoinCode(`7-${'a'.repeat(100_000)}`);
    expect(r.ok).toBe(false);
  });

  it('the password is the words only, normalised', () => {
    const a = parseJoinCode('7 Amber LAGOON');
    const b = parseJoinCode('7-amber-lagoon');
    expect(a.ok && b.ok && codePassword(a.code) === codePassword(b.code)).toBe(true);
    expect(a.ok && codePassword(a.code)).toBe('amber-lagoon');
  });

  it('random words come from the list and round-trip', () => {
    for (let i = 0; i < 50; i++) {
      const words = randomWords();
      expect(words).toHaveLength(2);
      const r = parseJoinCode(formatJoinCode({ nameplate: 1 + i, words }));
      expect(r).toEqual({ ok: true, code: { nameplate: 1 + i, words } });
    }
  });
});

describe('autocompletion', () => {
  it('completes words by prefix', () => {
    expect(completeWord('amb')).toEqual(['amber']);
    expect(completeWord('a').length).toBeGreaterThan(3);
    expect(completeWord('a', 2)).toHaveLength(2);
    expect(completeWord('')).toEqual([]);
    expect(completeWord('a1')).toEqual([]);
    expect(completeWord('zzz')).toEqual([]);
  });

  it('resolves unique prefixes only', () => {
    expect(resolveWord('lag')).toBe('lagoon');
    expect(resolveWord('la')).toBeUndefined();
    expect(resolveWord('lagoon')).toBe('lagoon');
  });

  it('completes the last word of a whole code, normalising what came before', () => {
    expect(completeJoinCode('7 Amb')).toEqual(['7-amber']);
    expect(completeJoinCode('7-amber-lag')).toEqual(['7-amber-lagoon']);
    expect(completeJoinCode('7-amb-lag')).toEqual(['7-amber-lagoon']);
    expect(completeJoinCode('7-amber-l').every((s) => s.startsWith('7-amber-l'))).toBe(true);
    expect(completeJoinCode('7')).toEqual([]);
    expect(completeJoinCode('amber-lag')).toEqual([]);
    expect(completeJoinCode('7-qqq-lag')).toEqual([]);
  });
});
