import { describe, expect, it } from 'vitest';
import type { ChannelLabel } from './channels.ts';
import {
  LINK_HIGH_WATER_BYTES,
  LOSSY_QUEUE_LIMIT,
  RELIABLE_QUEUE_LIMIT_BYTES,
  SchedulerOverflowError,
  SendScheduler,
  type ChannelPort,
} from './send-scheduler.ts';
import { FILES_BUDGET_MAX_BYTES, FILES_BUDGET_MIN_BYTES } from './files-budget.ts';

/** A channel whose buffer drains only when the test says so, recording what was sent in order. */
class FakePort implements ChannelPort {
  readyState = 'open';
  bufferedAmount = 0;
  constructor(
    readonly label: ChannelLabel,
    private readonly wire: Array<[ChannelLabel, number]>,
  ) {}
  send(frame: Uint8Array): void {
    this.bufferedAmount += frame.length;
    this.wire.push([this.label, frame.length]);
  }
}

function setup() {
  const wire: Array<[ChannelLabel, number]> = [];
  const labels: ChannelLabel[] = ['code-sync', 'cursor-pos', 'ai-stream', 'presence', 'files'];
  const ports = new Map(labels.map((l) => [l, new FakePort(l, wire)] as const));
  const scheduler = new SendScheduler(ports);
  const drainAll = () => {
    for (const port of ports.values()) port.bufferedAmount = 0;
    scheduler.pump();
  };
  return { wire, ports, scheduler, drainAll };
}

const frame = (n: number) => new Uint8Array(n);

describe('SendScheduler', () => {
  it('sends immediately while the link is idle', () => {
    const { wire, scheduler } = setup();
    scheduler.enqueue('code-sync', [frame(10)]);
    expect(wire).toEqual([['code-sync', 10]]);
  });

  it('holds files back while the link buffers more than the files budget', () => {
    const { wire, ports, scheduler } = setup();
    ports.get('code-sync')!.bufferedAmount = scheduler.filesBudgetBytes;
    scheduler.enqueue('files', [frame(16 * 1024)]);
    expect(wire).toEqual([]);
    expect(scheduler.queuedBytes('files')).toBe(16 * 1024);
    ports.get('code-sync')!.bufferedAmount = 0;
    scheduler.pump();
    expect(wire).toEqual([['files', 16 * 1024]]);
  });

  it('never lets more than the files budget sit in front of a keystroke', () => {
    const { wire, ports, scheduler } = setup();
    scheduler.enqueue('files', Array.from({ length: 64 }, () => frame(64 * 1024)));
    expect(ports.get('files')!.bufferedAmount).toBeLessThan(FILES_BUDGET_MAX_BYTES);
    expect(ports.get('files')!.bufferedAmount).toBeLessThan(scheduler.filesBudgetBytes + 64 * 1024);
    scheduler.enqueue('code-sync', [frame(20)]);
    expect(wire.at(-1)).toEqual(['code-sync', 20]);
  });

  it('sends strictly by class: critical, then high, normal, low', () => {
    const { wire, ports, scheduler, drainAll } = setup();
    ports.get('presence')!.bufferedAmount = LINK_HIGH_WATER_BYTES; // block everything
    scheduler.enqueue('files', [frame(1)]);
    scheduler.enqueue('presence', [frame(2)]);
    scheduler.enqueue('cursor-pos', [frame(3)]);
    scheduler.enqueue('code-sync', [frame(4)]);
    expect(wire).toEqual([]);
    drainAll();
    expect(wire.map(([label]) => label)).toEqual(['code-sync', 'cursor-pos', 'presence', 'files']);
  });

  it('round-robins between channels of the same class', () => {
    const { wire, ports, scheduler, drainAll } = setup();
    ports.get('files')!.bufferedAmount = LINK_HIGH_WATER_BYTES;
    scheduler.enqueue('code-sync', [frame(1), frame(1), frame(1)]);
    scheduler.enqueue('ai-stream', [frame(2), frame(2), frame(2)]);
    drainAll();
    expect(wire.map(([label]) => label)).toEqual(['code-sync', 'ai-stream', 'code-sync', 'ai-stream', 'code-sync', 'ai-stream']);
  });

  it('stops handing frames to the browser at the link high-water mark', () => {
    const { ports, scheduler } = setup();
    scheduler.enqueue('code-sync', Array.from({ length: 40 }, () => frame(64 * 1024)));
    const buffered = ports.get('code-sync')!.bufferedAmount;
    expect(buffered).toBeGreaterThanOrEqual(LINK_HIGH_WATER_BYTES);
    expect(buffered).toBeLessThan(LINK_HIGH_WATER_BYTES + 64 * 1024);
    expect(scheduler.queuedBytes('code-sync')).toBe(40 * 64 * 1024 - buffered);
  });

  it('keeps only the newest frames of a lossy channel', () => {
    const { wire, ports, scheduler, drainAll } = setup();
    ports.get('files')!.bufferedAmount = LINK_HIGH_WATER_BYTES;
    scheduler.enqueue('cursor-pos', Array.from({ length: LOSSY_QUEUE_LIMIT + 5 }, (_, i) => frame(i + 1)));
    expect(scheduler.counters.framesDropped).toBe(5);
    drainAll();
    expect(wire.map(([, size]) => size)).toEqual(Array.from({ length: LOSSY_QUEUE_LIMIT }, (_, i) => i + 6));
  });

  it('waits for a channel that is not open yet', () => {
    const { wire, ports, scheduler } = setup();
    ports.get('presence')!.readyState = 'connecting';
    scheduler.enqueue('presence', [frame(5)]);
    scheduler.enqueue('code-sync', [frame(6)]);
    expect(wire).toEqual([['code-sync', 6]]);
    ports.get('presence')!.readyState = 'open';
    scheduler.pump();
    expect(wire).toEqual([['code-sync', 6], ['presence', 5]]);
  });

  it('fails loudly instead of growing a reliable queue without bound', () => {
    const { ports, scheduler } = setup();
    ports.get('files')!.bufferedAmount = LINK_HIGH_WATER_BYTES;
    const chunk = frame(64 * 1024 * 1024);
    expect(() => {
      for (let i = 0; i <= RELIABLE_QUEUE_LIMIT_BYTES / chunk.length; i++) scheduler.enqueue('code-sync', [chunk]);
    }).toThrow(SchedulerOverflowError);
  });
});
