/**
 * One send path per peer link. Chromium ignores RTCDataChannel.priority and never interleaves
 * SCTP messages, so whatever sits in the connection's send buffer delays everything queued after
 * it, on every channel. We therefore keep our own per-channel queues and hand the browser a frame
 * only while the link's total buffered amount is small:
 *  - strict priority by send class (critical > high > normal > low), round-robin within a class;
 *  - nothing is handed over while the link buffers ≥ LINK_HIGH_WATER_BYTES;
 *  - the low class (files) only while the link buffers less than its FilesBudget (what the link
 *    drains in a few milliseconds, measured), so a bulk transfer never sits more than that in
 *    front of a keystroke, yet fills all the capacity the other classes leave;
 *  - lossy channels keep only their newest LOSSY_QUEUE_LIMIT frames (a stale cursor is useless).
 */
import { CHANNELS, SendClass, type ChannelLabel, type ChannelSpec } from './channels.ts';
import { FilesBudget } from './files-budget.ts';
import { FilesPacer } from './files-pacer.ts';

export const LINK_HIGH_WATER_BYTES = 1024 * 1024;
/** Per-channel bufferedamountlow threshold; below FILES_BUDGET_MIN_BYTES / 2 so a wake-up always comes. */
export const BUFFERED_LOW_THRESHOLD_BYTES = 32 * 1024;
/** A lane whose queue falls below this after a send is reported to `onDrain` (producers refill). */
export const DRAIN_NOTIFY_BYTES = 256 * 1024;
export const LOSSY_QUEUE_LIMIT = 8;
/** A reliable queue growing past this means the peer cannot keep up: the link is failed, not grown forever. */
export const RELIABLE_QUEUE_LIMIT_BYTES = 256 * 1024 * 1024;

/** What the scheduler needs of an RTCDataChannel. */
export interface ChannelPort {
  readonly readyState: string;
  readonly bufferedAmount: number;
  send(frame: Uint8Array): void;
}

export class SchedulerOverflowError extends Error {
  constructor(label: ChannelLabel) {
    super(`send queue of ${label} exceeded ${RELIABLE_QUEUE_LIMIT_BYTES} bytes`);
    this.name = 'SchedulerOverflowError';
  }
}

interface Lane {
  readonly spec: ChannelSpec;
  readonly port: ChannelPort;
  readonly frames: Uint8Array[];
  queuedBytes: number;
}

export interface SchedulerOptions {
  /** Milliseconds, monotonic; injected for tests. */
  readonly now?: () => number;
  /** Called after frames of `label` were sent and its queue is below DRAIN_NOTIFY_BYTES. */
  readonly onDrain?: (label: ChannelLabel) => void;
  /** Wakes the scheduler when paced file frames may go again; injected for tests. */
  readonly setTimeout?: (callback: () => void, ms: number) => void;
}

const defaultNow = (): number => globalThis.performance?.now() ?? Date.now();

const CLASS_ORDER: readonly SendClass[] = [SendClass.critical, SendClass.high, SendClass.normal, SendClass.low];

export class SendScheduler {
  private readonly lanes = new Map<ChannelLabel, Lane>();
  private readonly nextInClass = new Map<SendClass, number>();
  private pumping = false;
  private stats = { framesSent: 0, bytesSent: 0, framesDropped: 0 };
  private readonly budget = new FilesBudget();
  private readonly now: () => number;
  private readonly onDrain: ((label: ChannelLabel) => void) | null;
  private readonly pacer = new FilesPacer();
  private readonly setTimer: (callback: () => void, ms: number) => void;
  private wakeScheduled = false;

  constructor(ports: ReadonlyMap<ChannelLabel, ChannelPort>, specs: readonly ChannelSpec[] = CHANNELS, options: SchedulerOptions = {}) {
    this.now = options.now ?? defaultNow;
    this.onDrain = options.onDrain ?? null;
    this.setTimer = options.setTimeout ?? ((callback, ms) => void globalThis.setTimeout(callback, ms));
    for (const spec of specs) {
      const port = ports.get(spec.label);
      if (!port) throw new Error(`no port for channel ${spec.label}`);
      this.lanes.set(spec.label, { spec, port, frames: [], queuedBytes: 0 });
    }
  }

  /** Queues frames (already cut to size) and sends what the link can take now. */
  enqueue(label: ChannelLabel, frames: readonly Uint8Array[]): void {
    const lane = this.lane(label);
    for (const frame of frames) {
      lane.frames.push(frame);
      lane.queuedBytes += frame.length;
    }
    if (lane.spec.maxRetransmits !== null) {
      while (lane.frames.length > LOSSY_QUEUE_LIMIT) {
        lane.queuedBytes -= lane.frames.shift()!.length;
        this.stats.framesDropped++;
      }
    } else if (lane.queuedBytes > RELIABLE_QUEUE_LIMIT_BYTES) {
      throw new SchedulerOverflowError(label);
    }
    if (lane.spec.sendClass === SendClass.critical || lane.spec.sendClass === SendClass.high) this.pacer.urgent(this.now());
    this.pump();
  }

  queuedBytes(label: ChannelLabel): number {
    return this.lane(label).queuedBytes;
  }

  /** Critical or high frames (typing, cursors) were queued within the last TYPING_HOLD_MS. */
  get interactive(): boolean {
    return this.pacer.holding(this.now());
  }

  get counters(): Readonly<{ framesSent: number; bytesSent: number; framesDropped: number }> {
    return this.stats;
  }

  /** Bytes the low class may keep buffered on the link now. */
  get filesBudgetBytes(): number {
    return this.budget.bytes;
  }

  /** Sends as much as the policy allows. Call again on channel open and bufferedamountlow. */
  pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const sentFrom = new Set<Lane>();
    try {
      const buffered = this.bufferedOnLink();
      const now = this.now();
      // While paced, a dry buffer says nothing about the link's capacity.
      if (!this.pacer.holding(now)) this.budget.sample(now, this.stats.bytesSent - buffered, buffered);
      for (let lane = this.pickNext(); lane; lane = this.pickNext()) {
        const frame = lane.frames.shift()!;
        lane.queuedBytes -= frame.length;
        if (lane.spec.sendClass === SendClass.low) this.pacer.spend(frame.length);
        lane.port.send(frame);
        sentFrom.add(lane);
        this.stats.framesSent++;
        this.stats.bytesSent += frame.length;
      }
      this.budget.refilled(this.bufferedOnLink());
    } finally {
      this.pumping = false;
    }
    if (this.onDrain) for (const lane of sentFrom) if (lane.queuedBytes < DRAIN_NOTIFY_BYTES) this.onDrain(lane.spec.label);
  }

  private bufferedOnLink(): number {
    let total = 0;
    for (const lane of this.lanes.values()) {
      if (lane.port.readyState === 'open') total += lane.port.bufferedAmount;
    }
    return total;
  }

  private pickNext(): Lane | null {
    const buffered = this.bufferedOnLink();
    if (buffered >= LINK_HIGH_WATER_BYTES) return null;
    for (const sendClass of CLASS_ORDER) {
      const ready = [...this.lanes.values()].filter(
        (l) => l.spec.sendClass === sendClass && l.frames.length > 0 && l.port.readyState === 'open',
      );
      if (ready.length === 0) continue;
      if (sendClass === SendClass.low && buffered >= this.budget.bytes) return null;
      const turn = (this.nextInClass.get(sendClass) ?? 0) % ready.length;
      const lane = ready[turn]!;
      if (sendClass === SendClass.low) {
        const wait = this.pacer.wait(this.now(), lane.frames[0]!.length, this.budget.drainRate, this.budget.bytes);
        if (wait > 0) {
          this.wakeAfter(wait);
          return null;
        }
      }
      this.nextInClass.set(sendClass, turn + 1);
      return lane;
    }
    return null;
  }

  private wakeAfter(ms: number): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    this.setTimer(() => {
      this.wakeScheduled = false;
      this.pump();
    }, ms);
  }

  private lane(label: ChannelLabel): Lane {
    const lane = this.lanes.get(label);
    if (!lane) throw new Error(`unknown channel ${label}`);
    return lane;
  }
}
