import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { cursorHeadIndex, driverControls, followedPeer, isHereAndActive } from './follow.ts';
import type { PeerPresence } from './presence.ts';

const driver = (peer: string) => ({ peer, name: peer, since: 0 });
const presence = (extra: Partial<PeerPresence> = {}): PeerPresence => ({
  v: 1,
  name: 'P',
  color: '#000000',
  status: 'active',
  client: 1,
  peer: 'p',
  lastHeard: 0,
  lost: false,
  ...extra,
});

describe('followedPeer', () => {
  it('tracks the chosen peer, or the current driver, never ourselves', () => {
    expect(followedPeer(null, driver('d'), 'me')).toBeNull();
    expect(followedPeer({ kind: 'peer', peer: 'b' }, driver('d'), 'me')).toBe('b');
    expect(followedPeer({ kind: 'driver' }, driver('d'), 'me')).toBe('d');
    expect(followedPeer({ kind: 'driver' }, driver('me'), 'me')).toBeNull();
    expect(followedPeer({ kind: 'driver' }, null, 'me')).toBeNull();
  });
});

describe('driverControls', () => {
  it('lets the driver hand over, and others take over only when the driver has left, is lost or away', () => {
    const here = (p: PeerPresence | null) => () => p;
    expect(driverControls(driver('me'), 'me', here(null))).toEqual({ isDriver: true, canTakeOver: false });
    expect(driverControls(null, 'me', here(null))).toEqual({ isDriver: false, canTakeOver: true });
    expect(driverControls(driver('d'), 'me', here(presence()))).toEqual({ isDriver: false, canTakeOver: false });
    expect(driverControls(driver('d'), 'me', here(presence({ status: 'idle' })))).toEqual({ isDriver: false, canTakeOver: false });
    expect(driverControls(driver('d'), 'me', here(presence({ status: 'away' })))).toEqual({ isDriver: false, canTakeOver: true });
    expect(driverControls(driver('d'), 'me', here(presence({ lost: true })))).toEqual({ isDriver: false, canTakeOver: true });
    expect(driverControls(driver('d'), 'me', here(null))).toEqual({ isDriver: false, canTakeOver: true });
    expect(driverControls(driver('d'), null, here(null))).toEqual({ isDriver: false, canTakeOver: false });
    expect(isHereAndActive(undefined)).toBe(false);
  });
});

describe('cursorHeadIndex', () => {
  it("finds a remote head on its character after text is inserted before it, and null for what we lack", () => {
    const doc = new Y.Doc();
    const text = doc.getText('code');
    text.insert(0, 'line one\nline two');
    const head = Y.createRelativePositionFromTypeIndex(text, 9);
    expect(cursorHeadIndex(doc, { cursor: { anchor: head, head } })).toBe(9);
    text.insert(0, '// header\n');
    expect(cursorHeadIndex(doc, { cursor: { anchor: head, head } })).toBe(19);
    expect(cursorHeadIndex(doc, { cursor: null })).toBeNull();
    expect(cursorHeadIndex(doc, undefined)).toBeNull();
    const other = new Y.Doc();
    other.getText('code').insert(0, 'unknown to doc');
    const foreign = Y.createRelativePositionFromTypeIndex(other.getText('code'), 3);
    expect(cursorHeadIndex(doc, { cursor: { anchor: foreign, head: foreign } })).toBeNull();
  });
});
