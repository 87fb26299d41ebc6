/**
 * Peer ids: 8 characters of join time then 8 random ones. The time part uses the 64 base64url
 * characters in ASCII order, so comparing two ids as strings compares their join times: a
 * newcomer's id sorts after everyone already in the room. Links are initiated by the smaller id,
 * so the peers already there make the offers, at once on `peer-joined`, while the newcomer's page
 * is still loading; the offer is waiting when it is ready to answer.
 */
import type { PeerId } from '../../web/src/net/protocol.ts';
import { randomBase64Url } from './base64.ts';

const ORDERED_DIGITS = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
const TIME_DIGITS = 8;

export function newPeerId(now: number = Date.now()): PeerId {
  let time = '';
  let rest = Math.max(0, Math.floor(now));
  for (let i = 0; i < TIME_DIGITS; i++) {
    time = ORDERED_DIGITS[rest % 64]! + time;
    rest = Math.floor(rest / 64);
  }
  return time + randomBase64Url(6);
}
