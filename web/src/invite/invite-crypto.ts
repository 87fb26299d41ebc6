/**
 * The cryptography of one code invite, on top of CPace (cpace.ts):
 * - CPace inputs: PRS = the code's words, CI binds the run to Meshpad invites and the nameplate,
 *   sid = the mailbox id the worker chose (public, unique per invite);
 * - key confirmation tags in both directions, so a wrong code is detected before anything secret
 *   is sent (and the code burned);
 * - the room link sealed with AES-256-GCM under a key derived from ISK by HKDF-SHA-256.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { fromBase64Url, toBase64Url } from '../net/base64url.ts';
import { confirmationTag, cpaceStart, deriveIsk, lvCat, tagsEqual, type CPaceInputs, type CPaceMessage } from './cpace.ts';

const PROTOCOL_LABEL = 'meshpad/invite/v1';
export const AD_INVITER = utf8ToBytes('meshpad-inviter');
export const AD_JOINER = utf8ToBytes('meshpad-joiner');
const IV_BYTES = 12;

export class InviteCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InviteCryptoError';
  }
}

export function cpaceInputs(password: string, nameplate: number, mailbox: string): CPaceInputs {
  return {
    prs: utf8ToBytes(password),
    ci: lvCat(utf8ToBytes(PROTOCOL_LABEL), utf8ToBytes(String(nameplate))),
    sid: fromBase64Url(mailbox),
  };
}

/** One side of the exchange: its CPace share, and (once the peer's share is in) the keys. */
export class InviteKeys {
  private readonly scalar: Uint8Array;
  readonly share: Uint8Array;
  private isk: Uint8Array | undefined;

  constructor(
    private readonly inputs: CPaceInputs,
    private readonly role: 'initiator' | 'responder',
  ) {
    const start = cpaceStart(inputs);
    this.scalar = start.scalar;
    this.share = start.Y;
  }

  private get own(): CPaceMessage {
    return { Y: this.share, AD: this.role === 'initiator' ? AD_INVITER : AD_JOINER };
  }

  /** Takes the peer's share (base64url); throws InviteCryptoError if it is not a valid element. */
  receiveShare(peerShare: string): void {
    let peer: CPaceMessage;
    try {
      peer = { Y: fromBase64Url(peerShare), AD: this.role === 'initiator' ? AD_JOINER : AD_INVITER };
    } catch {
      throw new InviteCryptoError('the other side sent an unreadable share');
    }
    const [a, b] = this.role === 'initiator' ? [this.own, peer] : [peer, this.own];
    try {
      this.isk = deriveIsk(this.inputs, this.scalar, a, b, this.role);
    } catch {
      throw new InviteCryptoError('the other side sent an invalid share');
    }
  }

  private requireIsk(): Uint8Array {
    if (!this.isk) throw new InviteCryptoError('no key yet');
    return this.isk;
  }

  /** Our confirmation tag, base64url. */
  ownTag(): string {
    return toBase64Url(confirmationTag(this.requireIsk(), this.inputs.sid, this.own));
  }

  /** Whether the peer's tag proves it derived the same key (i.e. typed the same words). */
  verifyPeerTag(tag: string, peerShare: string): boolean {
    try {
      const peer = { Y: fromBase64Url(peerShare), AD: this.role === 'initiator' ? AD_JOINER : AD_INVITER };
      return tagsEqual(fromBase64Url(tag), confirmationTag(this.requireIsk(), this.inputs.sid, peer));
    } catch {
      return false;
    }
  }

  private async linkKey(usage: KeyUsage): Promise<CryptoKey> {
    const raw = hkdf(sha256, this.requireIsk(), this.inputs.sid, utf8ToBytes(`${PROTOCOL_LABEL}/link`), 32);
    return crypto.subtle.importKey('raw', Uint8Array.from(raw), 'AES-GCM', false, [usage]);
  }

  private aad(): Uint8Array<ArrayBuffer> {
    return Uint8Array.from(this.inputs.ci);
  }

  /** The room link sealed for the peer: base64url(iv ‖ ciphertext). */
  async sealLink(link: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: this.aad() }, await this.linkKey('encrypt'), utf8ToBytes(link) as Uint8Array<ArrayBuffer>);
    const out = new Uint8Array(IV_BYTES + ct.byteLength);
    out.set(iv);
    out.set(new Uint8Array(ct), IV_BYTES);
    return toBase64Url(out);
  }

  /** Opens a sealed link; throws InviteCryptoError on tampering or a wrong key. */
  async openLink(sealed: string): Promise<string> {
    try {
      const bytes = fromBase64Url(sealed);
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: this.aad() },
        await this.linkKey('decrypt'),
        bytes.subarray(IV_BYTES),
      );
      return new TextDecoder('utf-8', { fatal: true }).decode(plain);
    } catch {
      throw new InviteCryptoError('the room link failed authentication');
    }
  }
}
