/**
 * The invite mailbox wire protocol (GET /api/invites/ws), shared by the worker and the app.
 *
 * An inviter `allocate`s a nameplate (a small number) and a mailbox; a joiner `claim`s the
 * nameplate, once ever. The two then `add` opaque messages the worker relays (and holds for a side
 * that is not there yet): the CPace shares, the key-confirmation tags and the sealed room link.
 * The code's words never reach the worker; it only sees the nameplate and those opaque bodies.
 * Same framing rules as protocol.ts: JSON objects with a `type`, unknown keys ignored, unknown
 * types rejected. The flow is documented in docs/invites.md.
 */
import * as v from 'valibot';

export const INVITE_PROTOCOL_VERSION = 1;
/** Codes are valid this long after allocation, and for one successful use. */
export const INVITE_TTL_MS = 10 * 60_000;
export const MAX_NAMEPLATE = 9999;
export const MAX_INVITE_FRAME_CHARS = 4096;
export const MAX_BODY_CHARS = 2048;
/** Messages one side may add to a mailbox (pake, confirm, link). */
export const MAX_MESSAGES_PER_SIDE = 3;

export const InviteErrorCode = {
  malformed: 'malformed',
  unknownType: 'unknown-type',
  incompatible: 'incompatible',
  tooLarge: 'too-large',
  rateLimited: 'rate-limited',
  badState: 'bad-state',
  unknownCode: 'unknown-code',
  expired: 'expired',
  alreadyUsed: 'already-used',
  tooManyAttempts: 'too-many-attempts',
  noNameplates: 'no-nameplates',
} as const;
export type InviteErrorCode = (typeof InviteErrorCode)[keyof typeof InviteErrorCode];

/** Why a mailbox closed; sent to both sides. */
export const MailboxClosedReason = {
  /** The joiner got the room link. */
  done: 'done',
  /** Key confirmation failed: the words did not match. The code is burned. */
  wrongCode: 'wrong-code',
  expired: 'expired',
  /** The other side went away before the exchange finished. The code is burned. */
  peerLeft: 'peer-left',
} as const;
export type MailboxClosedReason = (typeof MailboxClosedReason)[keyof typeof MailboxClosedReason];

export const MailboxPhase = { pake: 'pake', confirm: 'confirm', link: 'link' } as const;
export type MailboxPhase = (typeof MailboxPhase)[keyof typeof MailboxPhase];

const base64url = (min: number, max: number) =>
  v.pipe(v.string(), v.minLength(min), v.maxLength(max), v.regex(/^[A-Za-z0-9_-]+$/));

export const NameplateSchema = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_NAMEPLATE));
/** 16 random bytes chosen by the worker: CPace's sid, public. */
export const MailboxIdSchema = base64url(22, 22);
const BodySchema = base64url(1, MAX_BODY_CHARS);
const PhaseSchema = v.picklist(Object.values(MailboxPhase));

// ---- client → server -------------------------------------------------------

const AllocateSchema = v.object({ type: v.literal('allocate'), v: v.number() });
const ClaimSchema = v.object({ type: v.literal('claim'), v: v.number(), nameplate: NameplateSchema });
const AddSchema = v.object({ type: v.literal('add'), phase: PhaseSchema, body: BodySchema });
/** `done` (joiner, link received) or `wrong-code` (either side, confirmation failed). */
const ReleaseSchema = v.object({
  type: v.literal('release'),
  outcome: v.picklist([MailboxClosedReason.done, MailboxClosedReason.wrongCode]),
});

export const InviteClientMessageSchema = v.variant('type', [AllocateSchema, ClaimSchema, AddSchema, ReleaseSchema]);
export type InviteClientMessage = v.InferOutput<typeof InviteClientMessageSchema>;

// ---- server → client -------------------------------------------------------

const AllocatedSchema = v.object({
  type: v.literal('allocated'),
  nameplate: NameplateSchema,
  mailbox: MailboxIdSchema,
  expiresAt: v.number(),
});
const ClaimedSchema = v.object({ type: v.literal('claimed'), mailbox: MailboxIdSchema, expiresAt: v.number() });
const MessageSchema = v.object({ type: v.literal('message'), phase: PhaseSchema, body: BodySchema });
const ClosedSchema = v.object({ type: v.literal('closed'), reason: v.picklist(Object.values(MailboxClosedReason)) });
const InviteErrorSchema = v.object({
  type: v.literal('error'),
  code: v.picklist(Object.values(InviteErrorCode)),
  message: v.pipe(v.string(), v.maxLength(500)),
});

export const InviteServerMessageSchema = v.variant('type', [
  AllocatedSchema,
  ClaimedSchema,
  MessageSchema,
  ClosedSchema,
  InviteErrorSchema,
]);
export type InviteServerMessage = v.InferOutput<typeof InviteServerMessageSchema>;

// ---- parsing ---------------------------------------------------------------

export type InviteParseResult<T> =
  | { ok: true; message: T }
  | { ok: false; code: InviteErrorCode; error: string };

function parse<T>(raw: unknown, schema: v.GenericSchema<unknown, T>, types: readonly string[]): InviteParseResult<T> {
  const fail = (code: InviteErrorCode, error: string): InviteParseResult<T> => ({ ok: false, code, error });
  if (typeof raw !== 'string') return fail(InviteErrorCode.malformed, 'frames must be JSON text');
  if (raw.length > MAX_INVITE_FRAME_CHARS) return fail(InviteErrorCode.tooLarge, `frame of ${raw.length} chars exceeds ${MAX_INVITE_FRAME_CHARS}`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail(InviteErrorCode.malformed, 'frame is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail(InviteErrorCode.malformed, 'frame must be a JSON object');
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string') return fail(InviteErrorCode.malformed, 'frame has no string "type"');
  if (!types.includes(type)) return fail(InviteErrorCode.unknownType, `unknown message type "${type.slice(0, 40)}"`);
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    return fail(InviteErrorCode.malformed, `invalid "${type}" frame${path ? ` at ${path}` : ''}: ${issue.message}`);
  }
  return { ok: true, message: result.output };
}

const CLIENT_TYPES = ['allocate', 'claim', 'add', 'release'] as const;
const SERVER_TYPES = ['allocated', 'claimed', 'message', 'closed', 'error'] as const;

export function parseInviteClientMessage(raw: unknown): InviteParseResult<InviteClientMessage> {
  return parse(raw, InviteClientMessageSchema, CLIENT_TYPES);
}

export function parseInviteServerMessage(raw: unknown): InviteParseResult<InviteServerMessage> {
  return parse(raw, InviteServerMessageSchema, SERVER_TYPES);
}

export function encodeInviteMessage(message: InviteClientMessage | InviteServerMessage): string {
  return JSON.stringify(message);
}

/** The WebSocket path of the mailbox service. */
export const INVITE_WS_PATH = '/api/invites/ws';
