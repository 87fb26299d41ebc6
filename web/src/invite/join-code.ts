/**
 * Join codes, magic-wormhole style: `<nameplate>-<word>-<word>`, e.g. `7-amber-lagoon`.
 *
 * The nameplate is a small number the worker allocates (it only picks the mailbox); the two words
 * are the password of the PAKE and never leave the two browsers. Parsing is forgiving: any case,
 * spaces, hyphens, dots, underscores or commas between the parts, and a word may be given by its
 * first three (or more) letters since no two words share them.
 */
import { MAX_NAMEPLATE } from '../net/invite-protocol.ts';
import { WORDS } from './wordlist.ts';

export const CODE_WORDS = 2;
/** Letters that always identify a word (see wordlist.ts). */
export const UNIQUE_PREFIX = 3;

export interface JoinCode {
  readonly nameplate: number;
  readonly words: readonly string[];
}

export type JoinCodeError =
  | { reason: 'empty' }
  | { reason: 'no-nameplate' }
  | { reason: 'bad-nameplate' }
  | { reason: 'word-count'; count: number }
  | { reason: 'unknown-word'; word: string };

export type JoinCodeResult = { ok: true; code: JoinCode } | { ok: false; error: JoinCodeError };

const WORD_SET = new Set(WORDS);
const MAX_INPUT = 200;

export function formatJoinCode(code: JoinCode): string {
  return [String(code.nameplate), ...code.words].join('-');
}

/** The PAKE password: the words only, normalised, so `Amber Lagoon` and `amber-lagoon` agree. */
export function codePassword(code: JoinCode): string {
  return code.words.join('-');
}

/** Two words drawn uniformly (one random byte each) from the 256-word list. */
export function randomWords(count = CODE_WORDS): string[] {
  const bytes = crypto.getRandomValues(new Uint8Array(count));
  return Array.from(bytes, (b) => WORDS[b]!);
}

/** Splits typed text into lower-case parts; a nameplate glued to the first word (`7amber`) is split too. */
function tokens(input: string): string[] {
  return input
    .slice(0, MAX_INPUT)
    .toLowerCase()
    .replace(/^(\s*\d+)([a-z])/, '$1 $2')
    .split(/[\s\-_.,;:/]+/)
    .filter((t) => t !== '');
}

/** The one word `typed` names: itself, or the word it is a ≥ 3-letter prefix of. */
export function resolveWord(typed: string): string | undefined {
  if (WORD_SET.has(typed)) return typed;
  if (typed.length < UNIQUE_PREFIX) return undefined;
  const matches = WORDS.filter((w) => w.startsWith(typed));
  return matches.length === 1 ? matches[0] : undefined;
}

export function parseJoinCode(input: string): JoinCodeResult {
  const parts = tokens(input);
  const fail = (error: JoinCodeError): JoinCodeResult => ({ ok: false, error });
  if (parts.length === 0) return fail({ reason: 'empty' });
  const [first, ...rest] = parts as [string, ...string[]];
  if (!/^\d+$/.test(first)) return fail({ reason: 'no-nameplate' });
  const nameplate = Number(first);
  if (!Number.isSafeInteger(nameplate) || nameplate < 1 || nameplate > MAX_NAMEPLATE) return fail({ reason: 'bad-nameplate' });
  if (rest.length !== CODE_WORDS) return fail({ reason: 'word-count', count: rest.length });
  const words: string[] = [];
  for (const typed of rest) {
    const word = resolveWord(typed);
    if (!word) return fail({ reason: 'unknown-word', word: typed.slice(0, 30) });
    words.push(word);
  }
  return { ok: true, code: { nameplate, words } };
}

export function joinCodeErrorText(error: JoinCodeError): string {
  switch (error.reason) {
    case 'empty':
      return 'Type the code you were given, like 7-amber-lagoon.';
    case 'no-nameplate':
      return 'A code starts with a number, like 7-amber-lagoon.';
    case 'bad-nameplate':
      return `The number at the start must be between 1 and ${MAX_NAMEPLATE}.`;
    case 'word-count':
      return `A code has a number and ${CODE_WORDS} words; this has ${error.count} word${error.count === 1 ? '' : 's'}.`;
    case 'unknown-word':
      return `"${error.word}" is not one of the code words. Check the spelling.`;
  }
}

/** Words starting with `prefix` (lower-cased), at most `limit`. */
export function completeWord(prefix: string, limit = 8): string[] {
  const p = prefix.toLowerCase();
  if (p === '' || !/^[a-z]+$/.test(p)) return [];
  const out: string[] = [];
  for (const w of WORDS) {
    if (w.startsWith(p)) out.push(w);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Whole-code suggestions for what has been typed so far: the typed parts normalised, with the
 * last (partial) word completed. `7 Amb` → `['7-amber']`; `7-amber-la` → `['7-amber-lagoon', …]`.
 */
export function completeJoinCode(input: string, limit = 8): string[] {
  const parts = tokens(input);
  if (parts.length < 2 || parts.length > CODE_WORDS + 1 || !/^\d+$/.test(parts[0]!)) return [];
  const done = parts.slice(1, -1).map(resolveWord);
  if (done.some((w) => w === undefined)) return [];
  const head = [parts[0]!, ...(done as string[])].join('-');
  return completeWord(parts[parts.length - 1]!, limit).map((w) => `${head}-${w}`);
}
