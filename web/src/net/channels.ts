/**
 * The five data channels of every peer link. Chromium ignores `priority`, so the numbers that
 * matter are `sendClass` (our scheduler's order) and the reliability options.
 */
export type ChannelLabel = 'code-sync' | 'cursor-pos' | 'ai-stream' | 'presence' | 'files';

/** Scheduler classes, most urgent first. */
export const SendClass = { critical: 0, high: 1, normal: 2, low: 3 } as const;
export type SendClass = (typeof SendClass)[keyof typeof SendClass];

export type ChannelPriority = 'very-low' | 'low' | 'medium' | 'high';

/** RTCDataChannelInit plus `priority`, which lib.dom no longer lists but browsers may honour. */
export interface ChannelInit extends RTCDataChannelInit {
  priority: ChannelPriority;
}

export interface ChannelSpec {
  readonly label: ChannelLabel;
  readonly ordered: boolean;
  /** null = fully reliable. */
  readonly maxRetransmits: number | null;
  readonly priority: ChannelPriority;
  readonly sendClass: SendClass;
  /** Pre-negotiated stream id, or null for the in-band channel simple-peer creates. */
  readonly negotiatedId: number | null;
  /** Largest application message accepted on this channel, after reassembly. */
  readonly maxMessageBytes: number;
}

export const CHANNELS: readonly ChannelSpec[] = [
  { label: 'code-sync', ordered: true, maxRetransmits: null, priority: 'high', sendClass: SendClass.critical, negotiatedId: null, maxMessageBytes: 64 * 1024 * 1024 },
  { label: 'cursor-pos', ordered: false, maxRetransmits: 0, priority: 'medium', sendClass: SendClass.high, negotiatedId: 1, maxMessageBytes: 16 * 1024 },
  { label: 'ai-stream', ordered: true, maxRetransmits: null, priority: 'high', sendClass: SendClass.critical, negotiatedId: 2, maxMessageBytes: 4 * 1024 * 1024 },
  { label: 'presence', ordered: true, maxRetransmits: null, priority: 'low', sendClass: SendClass.normal, negotiatedId: 3, maxMessageBytes: 64 * 1024 },
  { label: 'files', ordered: true, maxRetransmits: null, priority: 'very-low', sendClass: SendClass.low, negotiatedId: 4, maxMessageBytes: 1024 * 1024 },
];

export function channelSpec(label: ChannelLabel): ChannelSpec {
  const spec = CHANNELS.find((c) => c.label === label);
  if (!spec) throw new Error(`unknown channel ${label}`);
  return spec;
}


export function channelInit(spec: ChannelSpec): ChannelInit {
  const init: ChannelInit = { ordered: spec.ordered, priority: spec.priority };
  if (spec.maxRetransmits !== null) init.maxRetransmits = spec.maxRetransmits;
  if (spec.negotiatedId !== null) {
    init.negotiated = true;
    init.id = spec.negotiatedId;
  }
  return init;
}
