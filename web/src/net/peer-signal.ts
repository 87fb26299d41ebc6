/**
 * The decrypted content of a `signal` frame. Validated after decryption, because a peer
 * holding the room secret is still untrusted input.
 *
 * - `rtc`: one simple-peer signal (SDP or a trickled ICE candidate) for link `link`. The link id
 *   is chosen by the initiator for every new connection attempt; the responder answers an offer
 *   with an unknown id by replacing its link, and ignores anything else for links it has
 *   dropped. `transport` tells the responder whether to use the TURN relay only.
 * - `connect-request`: the responder lost its link and asks the initiator to reconnect now.
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
const RtcSignalSchema = v.variant('type', [SdpSchema, CandidateSchema, RenegotiateSchema]);

export const LinkIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{8,32}$/));

const EnvelopeSchema = v.variant('kind', [
  v.object({
    kind: v.literal('rtc'),
    link: LinkIdSchema,
    transport: v.picklist(['direct', 'relay']),
    signal: RtcSignalSchema,
  }),
  v.object({ kind: v.literal('connect-request') }),
]);

export type PeerSignal = SimplePeerSignal;
export type SignalEnvelope =
  | { kind: 'rtc'; link: string; transport: 'direct' | 'relay'; signal: PeerSignal }
  | { kind: 'connect-request' };

export function parseSignalEnvelope(text: string): SignalEnvelope | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const result = v.safeParse(EnvelopeSchema, json);
  if (!result.success) return null;
  const envelope = result.output;
  if (envelope.kind === 'connect-request') return envelope;
  const signal = envelope.signal;
  if (signal.type !== 'candidate') return { ...envelope, signal };
  // Rebuilt so only the known candidate fields reach RTCPeerConnection.addIceCandidate.
  const { candidate, sdpMLineIndex, sdpMid, usernameFragment } = signal.candidate;
  return { ...envelope, signal: { type: 'candidate', candidate: { candidate, sdpMLineIndex, sdpMid, usernameFragment } } };
}

/** Removes every candidate line from an SDP (block-direct test mode). */
export function stripCandidates(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:'))
    .join('\r\n');
}
