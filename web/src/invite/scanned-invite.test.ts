import { describe, expect, it } from 'vitest';
import { interpretScan } from './scanned-invite.ts';

const ORIGIN = 'https://meshpad.example';
const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const SECRET = 'BBBBBBBBBBBBBBBBBBBBBB';

describe('interpretScan', () => {
  it('accepts a room link of this server', () => {
    expect(interpretScan(`${ORIGIN}/r/${ID}#${SECRET}`, ORIGIN)).toEqual({
      kind: 'room',
      room: { roomId: ID, secret: SECRET },
      path: `/r/${ID}#${SECRET}`,
    });
  });

  it('names another server instead of navigating there silently', () => {
    expect(interpretScan(`https://other.example/r/${ID}#${SECRET}`, ORIGIN)).toEqual({
      kind: 'other-server',
      url: `https://other.example/r/${ID}#${SECRET}`,
    });
  });

  it('explains a damaged room link', () => {
    const r = interpretScan(`${ORIGIN}/r/${ID}`, ORIGIN);
    expect(r).toMatchObject({ kind: 'damaged' });
    expect(r.kind === 'damaged' && r.message).toContain('no key');
  });

  it.each(['hello', 'WIFI:S:home;T:WPA;P:x;;', 'javascript:alert(1)', `${ORIGIN}/settings`, `ftp://x/r/${ID}#${SECRET}`, 'x'.repeat(5000)])(
    'rejects %j as not an invite',
    (text) => {
      expect(interpretScan(text, ORIGIN)).toEqual({ kind: 'not-invite' });
    },
  );
});
