import { describe, expect, it } from 'vitest';
import { FakeClock } from '../test-support/fake-clock.ts';
import { MAX_NOTICES, NOTICE_MS, PresenceNotices } from './presence-notices.ts';
import type { PeerView } from './room-status.ts';

const view = (id: string, name: string | null, lost = false) => ({ id, presence: name === null ? null : { name, lost } }) as unknown as PeerView;

describe('PresenceNotices', () => {
  it('announces a join when the name arrives and a leave when the peer goes or is lost, each for NOTICE_MS', () => {
    const clock = new FakeClock();
    let changes = 0;
    const notices = new PresenceNotices(clock, () => changes++);
    notices.update([view('a', null)]);
    expect(notices.current()).toEqual([]);
    notices.update([view('a', 'Ada')]);
    expect(notices.current()).toMatchObject([{ kind: 'joined', name: 'Ada' }]);
    notices.update([view('a', 'Ada'), view('b', 'Bob')]);
    clock.advance(NOTICE_MS / 2);
    notices.update([view('b', 'Bob', true)]);
    expect(notices.current().map((n) => `${n.name} ${n.kind}`)).toEqual(['Ada joined', 'Bob joined', 'Ada left', 'Bob left']);
    clock.advance(NOTICE_MS / 2);
    expect(notices.current().map((n) => `${n.name} ${n.kind}`)).toEqual(['Ada left', 'Bob left']);
    clock.advance(NOTICE_MS / 2);
    expect(notices.current()).toEqual([]);
    expect(clock.pending).toBe(0);
    expect(changes).toBe(5);
  });

  it('keeps at most MAX_NOTICES and stops its timer when destroyed', () => {
    const clock = new FakeClock();
    const notices = new PresenceNotices(clock, () => undefined);
    notices.update(Array.from({ length: MAX_NOTICES + 3 }, (_, i) => view(`p${i}`, `P${i}`)));
    expect(notices.current()).toHaveLength(MAX_NOTICES);
    expect(notices.current().at(-1)?.name).toBe(`P${MAX_NOTICES + 2}`);
    notices.destroy();
    expect(clock.pending).toBe(0);
  });
});
