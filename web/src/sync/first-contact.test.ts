import { describe, expect, it } from 'vitest';
import { initialLinkState, type LinkMachineState } from '../net/link-machine.ts';
import { initialSignalingState, type SignalingPhase } from '../net/signaling-machine.ts';
import { FakeClock } from '../test-support/fake-clock.ts';
import { FIRST_CONTACT_MAX_WAIT_MS, firstContactOutcome, whenFirstContact, type FirstContactSource } from './first-contact.ts';
import type { RoomSnapshot } from './room-status.ts';

function snapshot(phase: SignalingPhase, selfId: string | null, links: Array<LinkMachineState['phase']>): RoomSnapshot {
  return {
    selfId,
    self: null,
    signaling: { ...initialSignalingState, phase },
    peers: links.map((linkPhase, i) => ({ id: `peer${i}`, link: { ...initialLinkState('initiator'), phase: linkPhase }, present: true, stats: null, presence: null })),
    diagnostics: [],
    relayConfigured: false,
    iceStatus: 'ready',
    save: null,
    overall: 'reconnecting',
  };
}

describe('first contact (when the UI is worth evaluating)', () => {
  it('waits while signaling connects and while links to known peers are being made', () => {
    expect(firstContactOutcome(snapshot('idle', null, []), 0)).toBeNull();
    expect(firstContactOutcome(snapshot('connecting', null, []), 0)).toBeNull();
    expect(firstContactOutcome(snapshot('connected', 'me', ['connecting']), 0)).toBeNull();
    expect(firstContactOutcome(snapshot('connected', 'me', ['connecting', 'failed']), 0)).toBeNull();
  });

  it('waits on an open link until its peer has synced (the text is shown before the UI is evaluated)', () => {
    expect(firstContactOutcome(snapshot('connected', 'me', ['connected']), 0)).toBeNull();
    expect(firstContactOutcome(snapshot('connected', 'me', ['connected', 'failed']), 0)).toBeNull();
  });

  it('settles on a synced peer, an empty room, signaling down, or every link failed', () => {
    expect(firstContactOutcome(snapshot('connected', 'me', ['connected']), 1)).toBe('synced');
    expect(firstContactOutcome(snapshot('connected', 'me', ['connected', 'failed']), 1)).toBe('synced');
    expect(firstContactOutcome(snapshot('reconnecting', 'me', ['connecting', 'connected']), 0)).toBe('offline');
    expect(firstContactOutcome(snapshot('connected', 'me', []), 0)).toBe('empty-room');
    expect(firstContactOutcome(snapshot('reconnecting', null, []), 0)).toBe('offline');
    expect(firstContactOutcome(snapshot('failed', null, []), 0)).toBe('offline');
    expect(firstContactOutcome(snapshot('connected', 'me', ['failed', 'failed']), 0)).toBe('links-failed');
  });

  it('resolves on the change that settles it, or after the maximum wait', async () => {
    const clock = new FakeClock();
    let current = snapshot('connecting', null, []);
    let synced = 0;
    const listeners = new Set<() => void>();
    const source: FirstContactSource = {
      snapshot: () => current,
      syncedPeers: () => Array.from({ length: synced }),
      subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    };
    const settled = whenFirstContact(source, clock);
    current = snapshot('connected', 'me', ['connecting']);
    for (const l of listeners) l();
    synced = 1;
    for (const l of [...listeners]) l();
    await expect(settled).resolves.toBe('synced');
    expect(listeners.size).toBe(0);

    current = snapshot('connected', 'me', ['connecting']);
    synced = 0;
    const timedOut = whenFirstContact(source, clock);
    clock.advance(FIRST_CONTACT_MAX_WAIT_MS - 1);
    for (const l of [...listeners]) l();
    clock.advance(1);
    await expect(timedOut).resolves.toBe('timeout');
    expect(listeners.size).toBe(0);
  });
});
