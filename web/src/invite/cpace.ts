/**
 * CPace (draft-irtf-cfrg-cpace), cipher suite CPACE-RISTR255-SHA512, initiator-responder setting.
 *
 * A balanced PAKE: both sides hold the same low-entropy password (PRS, here the two code words)
 * and end with the same intermediate session key ISK only if their passwords match. Someone who
 * sees or relays the messages (the worker) learns nothing that lets them test passwords offline;
 * an active attacker gets one guess per run. Names follow the draft; cpace.test.ts checks every
 * step against the draft's published ristretto255 test vectors.
 */
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

const Point = ristretto255.Point;
type Point = InstanceType<typeof Point>;

export const DSI = utf8ToBytes('CPaceRistretto255');
const DSI_ISK = utf8ToBytes('CPaceRistretto255_ISK');
/** SHA-512's input block size (H.s_in_bytes). */
const S_IN_BYTES = 128;
const FIELD_SIZE_BYTES = 32;
const GROUP_SIZE_BITS = 252;
/** G.I: the encoding of the neutral element. */
export const IDENTITY = new Uint8Array(32);

export class CPaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CPaceError';
  }
}

/** LEB128 length, then the bytes. */
export function prependLen(data: Uint8Array): Uint8Array {
  const len: number[] = [];
  let length = data.length;
  do {
    len.push(length < 128 ? length : (length & 0x7f) | 0x80);
    length >>>= 7;
  } while (length !== 0);
  return concatBytes(Uint8Array.from(len), data);
}

export function lvCat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(...parts.map(prependLen));
}

export function generatorString(dsi: Uint8Array, prs: Uint8Array, ci: Uint8Array, sid: Uint8Array, sInBytes: number): Uint8Array {
  const zpad = Math.max(0, sInBytes - 1 - prependLen(prs).length - prependLen(dsi).length);
  return lvCat(dsi, prs, new Uint8Array(zpad), ci, sid);
}

export interface CPaceInputs {
  /** Password-related string. */
  readonly prs: Uint8Array;
  /** Channel identifier (not sent; both sides must agree). */
  readonly ci: Uint8Array;
  /** Session id, public and unique per session. */
  readonly sid: Uint8Array;
}

export function calculateGenerator({ prs, ci, sid }: CPaceInputs): Point {
  const genStr = generatorString(DSI, prs, ci, sid, S_IN_BYTES);
  // SHA-512's 64 bytes are exactly 2 × field_size_bytes.
  const hash = sha512(genStr).subarray(0, 2 * FIELD_SIZE_BYTES);
  return ristretto255_hasher.deriveToCurve!(hash) as Point;
}

/** 32 random bytes, bits above 252 cleared, read little-endian (the draft's recommendation). */
export function sampleScalar(random: Uint8Array = crypto.getRandomValues(new Uint8Array(32))): Uint8Array {
  const y = Uint8Array.from(random);
  y[31]! &= (1 << (GROUP_SIZE_BITS - 248)) - 1;
  return y;
}

function scalarToBigInt(y: Uint8Array): bigint {
  let n = 0n;
  for (let i = y.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(y[i]!);
  const reduced = n % Point.Fn.ORDER;
  if (reduced === 0n) throw new CPaceError('scalar is zero');
  return reduced;
}

export function scalarMult(y: Uint8Array, g: Point): Uint8Array {
  return g.multiply(scalarToBigInt(y)).toBytes();
}

/** y·X for an encoded X; G.I when X does not decode (or is the identity). */
export function scalarMultVfy(y: Uint8Array, encoded: Uint8Array): Uint8Array {
  let x: Point;
  try {
    x = Point.fromBytes(encoded);
  } catch {
    return IDENTITY;
  }
  if (x.is0()) return IDENTITY;
  return x.multiply(scalarToBigInt(y)).toBytes();
}

export function transcriptIr(ya: Uint8Array, adA: Uint8Array, yb: Uint8Array, adB: Uint8Array): Uint8Array {
  return concatBytes(lvCat(ya, adA), lvCat(yb, adB));
}

function isIdentity(k: Uint8Array): boolean {
  return k.length === IDENTITY.length && k.every((b) => b === 0);
}

/** One side's public message. */
export interface CPaceMessage {
  readonly Y: Uint8Array;
  readonly AD: Uint8Array;
}

/** ISK for the initiator (A) or responder (B); throws CPaceError when the peer's point is invalid. */
export function deriveIsk(
  inputs: CPaceInputs,
  ownScalar: Uint8Array,
  a: CPaceMessage,
  b: CPaceMessage,
  role: 'initiator' | 'responder',
): Uint8Array {
  const peer = role === 'initiator' ? b : a;
  const k = scalarMultVfy(ownScalar, peer.Y);
  if (isIdentity(k)) throw new CPaceError('peer sent an invalid group element');
  return sha512(concatBytes(lvCat(DSI_ISK, inputs.sid, k), transcriptIr(a.Y, a.AD, b.Y, b.AD)));
}

/** Starts one side: a fresh scalar and the public share Y = y·g. */
export function cpaceStart(inputs: CPaceInputs, random?: Uint8Array): { scalar: Uint8Array; Y: Uint8Array } {
  const scalar = sampleScalar(random);
  return { scalar, Y: scalarMult(scalar, calculateGenerator(inputs)) };
}

/**
 * Explicit key confirmation as the draft suggests: mac_key = H(b"CPaceMac" ‖ sid ‖ ISK), and each
 * party's tag is HMAC(mac_key, lv_cat(Y, AD)) over the message it sent.
 */
export function confirmationTag(isk: Uint8Array, sid: Uint8Array, own: CPaceMessage): Uint8Array {
  const macKey = sha512(concatBytes(utf8ToBytes('CPaceMac'), sid, isk));
  return hmac(sha512, macKey, lvCat(own.Y, own.AD));
}

/** Constant-time comparison of two tags. */
export function tagsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
