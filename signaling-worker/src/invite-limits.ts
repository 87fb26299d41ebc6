/**
 * Abuse limits of the invite mailbox. An honest invite is one socket and a handful of frames,
 * so these only stop floods and code guessing: each claim is one guess at a nameplate's words
 * at best, and claims are counted per client address whether the nameplate exists or not.
 */

/**
 * Mailbox sockets one client address may open back to back, then one per 2 s; more get HTTP 429.
 * (Per socket, the message caps and the protocol-error limit already bound the frames.)
 */
export const CONNECT_BURST = 30;
export const CONNECT_REFILL_PER_SEC = 0.5;
/** Codes one client address may allocate at once, then one per 30 s. */
export const ALLOCATE_BURST = 10;
export const ALLOCATE_REFILL_PER_SEC = 1 / 30;
/**
 * Claims (guesses) one client address may make at once, then one per 20 s. Generous enough for
 * people behind one shared address (an office, or every browser of the e2e suite on 127.0.0.1);
 * each claim of a live code still has only a 1 in 65,536 chance of guessing its words.
 */
export const CLAIM_BURST = 10;
export const CLAIM_REFILL_PER_SEC = 1 / 20;
/** Protocol errors tolerated per socket before it is closed. */
export const MAX_INVITE_PROTOCOL_ERRORS = 5;
/** Client addresses whose buckets are remembered; beyond that the oldest are forgotten. */
export const MAX_TRACKED_CLIENTS = 10_000;
/** Open mailbox sockets the service accepts; further upgrades get HTTP 429. */
export const MAX_INVITE_SOCKETS = 2000;
/** Test hooks only (INVITE_TEST_HOOKS=1): the shortest and longest TTL a test may ask for. */
export const TEST_TTL_RANGE_SECONDS = { min: 1, max: 600 } as const;
/** Test hooks only: frames kept in the audit log. */
export const MAX_AUDIT_ENTRIES = 2000;
