/**
 * The decrypted content of a `signal` frame: what simple-peer exchanges (SDP and ICE
 * candidates). Validated after decryption, because a peer holding the room secret is still
 * untrusted input.
 */
import * as v from 'valibot';
import type { SimplePeerSignal } from '@thaunknown/simple-peer/lite.js';

const MAX_SDP_CHARS = 48 * 1024;
const MAX_CANDIDATE_CHARS = 1024;

const SdpSchema = v.object({
  type: v.picklist(['offer', 'answer']),
  sdp: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_SDP_CHARS)),
});
const CandidateSchema = v.object({
  type: v.literal('candidate'),
  candidate: v.object({
    candidate: v.pipe(v.string(), v.maxLength(MAX_CANDIDATE_CHARS)),
    sdpMLineIndex: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(64)))),
    sdpMid: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
    usernameFragment: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256)))),
  }),
});
const RenegotiateSchema = v.object({ type: v.literal('renegotiate'), renegotiate: v.literal(true) });

export const PeerSignalSchema = v.variant('type', [SdpSchema, CandidateSchema, RenegotiateSchema]);
export type PeerSignal = SimplePeerSignal;

export function parsePeerSignal(text: string): PeerSignal | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const result = v.safeParse(PeerSignalSchema, json);
  if (!result.success) return null;
  const signal = result.output;
  if (signal.type === 'candidate') {
    const { candidate, sdpMLineIndex, sdpMid, usernameFragment } = signal.candidate;
    return { type: 'candidate', candidate: { candidate, sdpMLineIndex, sdpMid, usernameFragment } };
  }
  return signal;
}
