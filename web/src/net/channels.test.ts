import { describe, expect, it } from 'vitest';
import { CHANNELS, SendClass, channelInit, channelSpec } from './channels.ts';

describe('channel table', () => {
  it('is exactly the five channels with the options of the design', () => {
    expect(CHANNELS.map((c) => [c.label, c.ordered, c.maxRetransmits, c.priority])).toEqual([
      ['code-sync', true, null, 'high'],
      ['cursor-pos', false, 0, 'medium'],
      ['ai-stream', true, null, 'high'],
      ['presence', true, null, 'low'],
      ['files', true, null, 'very-low'],
    ]);
  });

  it('schedules code-sync and ai-stream first and files last', () => {
    expect(channelSpec('code-sync').sendClass).toBe(SendClass.critical);
    expect(channelSpec('ai-stream').sendClass).toBe(SendClass.critical);
    expect(channelSpec('cursor-pos').sendClass).toBe(SendClass.high);
    expect(channelSpec('presence').sendClass).toBe(SendClass.normal);
    expect(channelSpec('files').sendClass).toBe(SendClass.low);
  });

  it('builds RTCDataChannelInit: reliable channels carry no maxRetransmits, negotiated ones unique ids', () => {
    expect(channelInit(channelSpec('code-sync'))).toEqual({ ordered: true, priority: 'high' });
    expect(channelInit(channelSpec('cursor-pos'))).toEqual({ ordered: false, maxRetransmits: 0, priority: 'medium', negotiated: true, id: 1 });
    const ids = CHANNELS.map((c) => c.negotiatedId).filter((id) => id !== null);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('throws on an unknown label', () => {
    expect(() => channelSpec('nope' as never)).toThrow(/unknown channel/);
  });
});
