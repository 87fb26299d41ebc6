/**
 * The signaling wire protocol, shared by the worker and every client.
 *
 * Every frame is one JSON object with a `type`. The first client frame must be `hello`
 * carrying PROTOCOL_VERSION. Unknown keys are ignored (so newer peers can add fields),
 * unknown types are rejected. `signal` payloads are end-to-end encrypted (see room-crypto.ts):
 * the server only ever sees `{ iv, ct }`.
 */
import * as v from 'valibot';

export const PROTOCOL_VERSION = 1;

/** Largest signaling frame either side accepts, in UTF-16 code units of the JSON text. */
export const MAX_FRAME_CHARS = 64 * 1024;
export const MAX_PEERS_PER_ROOM = 16;

export const ErrorCode = {
  malformed: 'malformed',
  unknownType: 'unknown-type',
  incompatible: 'incompatible',
  tooLarge: 'too-large',
  roomFull: 'room-full',
  rateLimited: 'rate-limited',
  unknownPeer: 'unknown-peer',
  notJoined: 'not-joined',
  alreadyJoined: 'already-joined',
  badRoom: 'bad-room',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the server uses; 4xxx are ours. */
export const CloseCode = {
  normal: 1000,
  tooLarge: 1009,
  incompatible: 4000,
  roomFull: 4001,
  rateLimited: 4002,
  protocolViolation: 4003,
  /** Another socket resumed this peer id (the same browser reconnected). */
  replaced: 4004,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

const base64url = (min: number, max: number) =>
  v.pipe(v.string(), v.minLength(min), v.maxLength(max), v.regex(/^[A-Za-z0-9_-]+$/));

/** Room ids are ≥ 128 random bits in base64url (22 chars). */
export const RoomIdSchema = base64url(22, 64);
/** Peer ids are assigned by the server. */
export const PeerIdSchema = base64url(8, 64);
export type PeerId = string;

/** AES-GCM ciphertext of a signal: 96-bit IV and ciphertext+tag, both base64url. */
export const SealedSchema = v.object({
  iv: base64url(16, 16),
  ct: base64url(22, MAX_FRAME_CHARS),
});
export type Sealed = v.InferOutput<typeof SealedSchema>;

/** Proof, issued in `welcome`, that a reconnecting socket may keep its previous peer id. */
export const ResumeTokenSchema = base64url(43, 43);

// ---- client → server -------------------------------------------------------

const HelloSchema = v.object({
  type: v.literal('hello'),
  v: v.number(),
  resume: v.optional(v.object({ peer: PeerIdSchema, token: ResumeTokenSchema })),
});
const ClientSignalSchema = v.object({
  type: v.literal('signal'),
  to: PeerIdSchema,
  payload: SealedSchema,
});

export const ClientMessageSchema = v.variant('type', [HelloSchema, ClientSignalSchema]);
export type ClientMessage = v.InferOutput<typeof ClientMessageSchema>;
export type HelloMessage = v.InferOutput<typeof HelloSchema>;

// ---- server → client -------------------------------------------------------

const WelcomeSchema = v.object({
  type: v.literal('welcome'),
  v: v.number(),
  self: PeerIdSchema,
  peers: v.pipe(v.array(PeerIdSchema), v.maxLength(MAX_PEERS_PER_ROOM)),
  resumeToken: ResumeTokenSchema,
});
const PeerJoinedSchema = v.object({ type: v.literal('peer-joined'), peer: PeerIdSchema });
/**
 * `left`: the peer closed its socket cleanly (1000/1001: page closed, room left).
 * `lost`: the socket dropped; the peer may be back with the same id, and a working P2P link
 * to it should be kept.
 */
export const PeerLeftReason = { left: 'left', lost: 'lost' } as const;
export type PeerLeftReason = (typeof PeerLeftReason)[keyof typeof PeerLeftReason];
const PeerLeftSchema = v.object({
  type: v.literal('peer-left'),
  peer: PeerIdSchema,
  reason: v.picklist(Object.values(PeerLeftReason)),
});
const ServerSignalSchema = v.object({
  type: v.literal('signal'),
  from: PeerIdSchema,
  payload: SealedSchema,
});
const ErrorSchema = v.object({
  type: v.literal('error'),
  code: v.picklist(Object.values(ErrorCode)),
  message: v.pipe(v.string(), v.maxLength(500)),
});

export const ServerMessageSchema = v.variant('type', [
  WelcomeSchema,
  PeerJoinedSchema,
  PeerLeftSchema,
  ServerSignalSchema,
  ErrorSchema,
]);
export type ServerMessage = v.InferOutput<typeof ServerMessageSchema>;
export type ErrorMessage = v.InferOutput<typeof ErrorSchema>;

// ---- parsing ---------------------------------------------------------------

export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ProtocolError };

function parseFrame<T>(
  raw: unknown,
  schema: v.GenericSchema<unknown, T>,
  knownTypes: readonly string[],
): ParseResult<T> {
  const fail = (code: ErrorCode, message: string): ParseResult<T> => ({
    ok: false,
    error: new ProtocolError(code, message),
  });
  if (typeof raw !== 'string') return fail(ErrorCode.malformed, 'frames must be JSON text');
  if (raw.length > MAX_FRAME_CHARS) {
    return fail(ErrorCode.tooLarge, `frame of ${raw.length} chars exceeds ${MAX_FRAME_CHARS}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail(ErrorCode.malformed, 'frame is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail(ErrorCode.malformed, 'frame must be a JSON object');
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string') return fail(ErrorCode.malformed, 'frame has no string "type"');
  if (!knownTypes.includes(type)) return fail(ErrorCode.unknownType, `unknown message type "${type.slice(0, 40)}"`);
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    return fail(ErrorCode.malformed, `invalid "${type}" frame${path ? ` at ${path}` : ''}: ${issue.message}`);
  }
  return { ok: true, message: result.output };
}

const CLIENT_TYPES = ['hello', 'signal'] as const;
const SERVER_TYPES = ['welcome', 'peer-joined', 'peer-left', 'signal', 'error'] as const;

export function parseClientMessage(raw: unknown): ParseResult<ClientMessage> {
  return parseFrame(raw, ClientMessageSchema, CLIENT_TYPES);
}

export function parseServerMessage(raw: unknown): ParseResult<ServerMessage> {
  return parseFrame(raw, ServerMessageSchema, SERVER_TYPES);
}

export function encodeMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}

// ---- HTTP: GET /api/ice-servers ---------------------------------------------

const IceServerSchema = v.object({
  urls: v.pipe(v.array(v.pipe(v.string(), v.regex(/^(stun|stuns|turn|turns):/), v.maxLength(256))), v.minLength(1), v.maxLength(8)),
  username: v.optional(v.pipe(v.string(), v.maxLength(256))),
  credential: v.optional(v.pipe(v.string(), v.maxLength(256))),
});
export const IceServersResponseSchema = v.object({
  iceServers: v.pipe(v.array(IceServerSchema), v.maxLength(8)),
  /** Unix ms after which TURN credentials stop working; fetch again before then. */
  expiresAt: v.number(),
  /** Whether a TURN relay is configured (else only STUN/host candidates are possible). */
  turn: v.boolean(),
});
export type IceServersResponse = v.InferOutput<typeof IceServersResponseSchema>;

export function parseIceServersResponse(json: unknown): IceServersResponse | null {
  const result = v.safeParse(IceServersResponseSchema, json);
  return result.success ? result.output : null;
}

export function isValidRoomId(value: unknown): value is string {
  return v.is(RoomIdSchema, value);
}
