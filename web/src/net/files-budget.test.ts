import { describe, expect, it } from 'vitest';
import type { ChannelLabel } from './channels.ts';
import { FILES_BUDGET_MAX_BYTES, FILES_BUDGET_MIN_BYTES, FILES_BUDGET_TARGET_MS, FilesBudget } from './files-budget.ts';
import { TYPING_HOLD_MS, TYPING_SHARE } from './files-pacer.ts';
import { BUFFERED_LOW_THRESHOLD_BYTES, SendScheduler, type ChannelPort } from './send-scheduler.ts';

const LABELS: ChannelLabel[] = ['code-sync', 'cursor-pos', 'ai-stream', 'presence', 'files'];
const FRAME = 64 * 1024;

/**
 * A link of fixed capacity: every millisecond it takes `bytesPerMs` off the channels' buffers in
 * the order frames were handed over (one SCTP send queue), and records when each frame left.
 */
class FakeLink {
  readonly ports = new Map<ChannelLabel, ChannelPort & { bufferedAmount: number }>();
  private readonly fifo: Array<{ label: ChannelLabel; left: number; sentAt: number; tag: string | null }> = [];
  readonly departures: Array<{ label: ChannelLabel; tag: string | null; queuedAt: number; leftAt: number }> = [];
  bytesByLabel = new Map<ChannelLabel, number>();
  time = 0;
  nextTag: string | null = null;
  constructor(private readonly bytesPerMs: number) {
    for (const label of LABELS) {
      const port = {
        readyState: 'open',
        bufferedAmount: 0,
        send: (frame: Uint8Array) => {
          port.bufferedAmount += frame.length;
          this.fifo.push({ label, left: frame.length, sentAt: this.time, tag: frame[0] === 7 ? 'key' : null });
        },
      };
      this.ports.set(label, port);
    }
  }

  /** One millisecond of transmission; returns the channels that crossed their low threshold. */
  tick(): ChannelLabel[] {
    this.time += 1;
    let capacity = this.bytesPerMs;
    const crossed = new Set<ChannelLabel>();
    while (capacity > 0 && this.fifo.length > 0) {
      const head = this.fifo[0]!;
      const take = Math.min(capacity, head.left);
      head.left -= take;
      capacity -= take;
      const port = this.ports.get(head.label)!;
      const before = port.bufferedAmount;
      port.bufferedAmount -= take;
      this.bytesByLabel.set(head.label, (this.bytesByLabel.get(head.label) ?? 0) + take);
      if (before > BUFFERED_LOW_THRESHOLD_BYTES && port.bufferedAmount <= BUFFERED_LOW_THRESHOLD_BYTES) crossed.add(head.label);
      if (head.left === 0) {
        this.fifo.shift();
        this.departures.push({ label: head.label, tag: head.tag, queuedAt: head.sentAt, leftAt: this.time });
      }
    }
    return [...crossed];
  }
}

function simulate(bytesPerMs: number) {
  const link = new FakeLink(bytesPerMs);
  const drains: ChannelLabel[] = [];
  const timers: Array<{ at: number; callback: () => void }> = [];
  const scheduler = new SendScheduler(link.ports, undefined, {
    now: () => link.time,
    onDrain: (label) => drains.push(label),
    setTimeout: (callback, ms) => timers.push({ at: link.time + ms, callback }),
  });
  /** Runs `ms` milliseconds; the scheduler is woken like bufferedamountlow would (and `each` runs every ms). */
  const run = (ms: number, each?: (t: number) => void) => {
    for (let i = 0; i < ms; i++) {
      const crossed = link.tick();
      for (const due of timers.filter((t) => t.at <= link.time)) {
        timers.splice(timers.indexOf(due), 1);
        due.callback();
      }
      each?.(link.time);
      if (crossed.length > 0) scheduler.pump();
    }
  };
  return { link, scheduler, run, drains };
}

describe('FilesBudget', () => {
  it('starts within its clamps and follows the measured drain rate of a busy link', () => {
    const budget = new FilesBudget();
    expect(budget.bytes).toBeGreaterThanOrEqual(FILES_BUDGET_MIN_BYTES);
    // 4 KiB/ms measured over a link that never ran dry
    let drained = 0;
    for (let t = 0; t <= 200; t += 4) {
      budget.sample(t, drained, 100_000);
      budget.refilled(120_000);
      drained += 4 * 4096;
    }
    expect(budget.drainRate).toBeCloseTo(4096, -1);
    expect(budget.bytes).toBe(FILES_BUDGET_MIN_BYTES); // 4096 × 5 ms = 20 KiB, clamped up
  });

  it('grows while the buffer keeps running dry and stops at its maximum', () => {
    const budget = new FilesBudget();
    let drained = 0;
    const sizes: number[] = [];
    for (let t = 0; t < 200; t += 2) {
      budget.sample(t, drained, 0);
      budget.refilled(budget.bytes);
      drained += 200_000;
      sizes.push(budget.bytes);
    }
    expect(sizes.at(-1)).toBe(FILES_BUDGET_MAX_BYTES);
    expect(sizes.every((s) => s <= FILES_BUDGET_MAX_BYTES)).toBe(true);
  });

  it('ignores samples taken too close together and an idle link', () => {
    const budget = new FilesBudget();
    const before = budget.drainRate;
    budget.sample(0, 0, 0);
    budget.sample(0.5, 1_000_000, 10);
    budget.sample(10, 2_000_000, 0);
    expect(budget.drainRate).toBe(before);
  });
});

describe('SendScheduler with the adaptive files budget (fake link, fake clock)', () => {
  it('gives files nearly all the capacity of an otherwise idle link', () => {
    const { link, scheduler, run } = simulate(16 * 1024);
    scheduler.enqueue('files', Array.from({ length: 400 }, () => new Uint8Array(FRAME)));
    run(1000);
    const sent = link.bytesByLabel.get('files') ?? 0;
    expect(sent).toBeGreaterThanOrEqual(0.95 * 16 * 1024 * 1000);
  });

  it('adapts the budget to the link: a few milliseconds of its drain rate, more only if wake-ups come too late', () => {
    const slow = simulate(8 * 1024);
    slow.scheduler.enqueue('files', Array.from({ length: 2000 }, () => new Uint8Array(FRAME)));
    slow.run(500);
    expect(slow.scheduler.filesBudgetBytes).toBeLessThanOrEqual(2 * FILES_BUDGET_MIN_BYTES);
    // 40 KiB per 1 ms tick drains past the 32 KiB wake-up threshold in one step: the buffer runs
    // dry before each wake-up, so the budget grows beyond rate × target (up to its maximum).
    const rate = 40 * 1024;
    const fast = simulate(rate);
    fast.scheduler.enqueue('files', Array.from({ length: 2000 }, () => new Uint8Array(FRAME)));
    fast.run(500);
    expect(fast.scheduler.filesBudgetBytes).toBeGreaterThan(rate * FILES_BUDGET_TARGET_MS);
    expect(fast.scheduler.filesBudgetBytes).toBeLessThanOrEqual(FILES_BUDGET_MAX_BYTES);
    expect(fast.link.bytesByLabel.get('files') ?? 0).toBeGreaterThan(0.9 * rate * 500);
  });

  it('a keystroke during a saturating transfer leaves within a few milliseconds', () => {
    const rate = 16 * 1024;
    const { link, scheduler, run } = simulate(rate);
    scheduler.enqueue('files', Array.from({ length: 2000 }, () => new Uint8Array(FRAME)));
    run(300, (t) => {
      if (t % 10 === 0) scheduler.enqueue('code-sync', [new Uint8Array([7, 1, 2, 3])]);
    });
    const keys = link.departures.filter((d) => d.tag === 'key');
    expect(keys.length).toBeGreaterThanOrEqual(25);
    const worst = Math.max(...keys.map((k) => k.leftAt - k.queuedAt));
    // Budget (a few ms of drain) plus the frame being transmitted, plus 1 ms of tick granularity.
    expect(worst).toBeLessThanOrEqual(scheduler.filesBudgetBytes / rate + FRAME / rate + 1);
    // While typing, files are paced to TYPING_SHARE of the link, and still move.
    const files = link.bytesByLabel.get('files') ?? 0;
    expect(files).toBeGreaterThan((TYPING_SHARE - 0.1) * rate * 300);
    expect(files).toBeLessThan((TYPING_SHARE + 0.15) * rate * 300);
  });

  it('gives files the whole link again (and says the link is no longer interactive) once typing stopped for TYPING_HOLD_MS', () => {
    const rate = 16 * 1024;
    const { link, scheduler, run } = simulate(rate);
    scheduler.enqueue('files', Array.from({ length: 2000 }, () => new Uint8Array(FRAME)));
    run(100);
    expect(scheduler.interactive).toBe(false);
    scheduler.enqueue('code-sync', [new Uint8Array([7])]);
    expect(scheduler.interactive).toBe(true);
    run(TYPING_HOLD_MS);
    expect(scheduler.interactive).toBe(false);
    const before = link.bytesByLabel.get('files') ?? 0;
    run(500);
    expect((link.bytesByLabel.get('files') ?? 0) - before).toBeGreaterThan(0.9 * rate * 500);
  });

  it('starves no class once the higher ones are idle, and reports drained lanes to refill', () => {
    const { link, scheduler, run, drains } = simulate(32 * 1024);
    scheduler.enqueue('code-sync', Array.from({ length: 50 }, () => new Uint8Array(FRAME)));
    scheduler.enqueue('presence', Array.from({ length: 5 }, () => new Uint8Array(1000)));
    scheduler.enqueue('files', Array.from({ length: 20 }, () => new Uint8Array(FRAME)));
    run(400);
    expect(scheduler.queuedBytes('code-sync')).toBe(0);
    expect(scheduler.queuedBytes('presence')).toBe(0);
    expect(scheduler.queuedBytes('files')).toBe(0);
    expect(link.bytesByLabel.get('files')).toBe(20 * FRAME);
    expect(drains).toContain('files');
  });
});
