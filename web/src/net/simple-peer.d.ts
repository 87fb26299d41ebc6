// Types for the parts of @thaunknown/simple-peer (the maintained ESM fork of simple-peer) we use.
// `_pc` and `_channel` are the library's RTCPeerConnection and its own data channel; see
// docs/decisions.md for why we reach into them.
declare module '@thaunknown/simple-peer/lite.js' {
  export interface SimplePeerOptions {
    initiator?: boolean;
    channelName?: string;
    channelConfig?: RTCDataChannelInit;
    config?: RTCConfiguration;
    trickle?: boolean;
    objectMode?: boolean;
    allowHalfTrickle?: boolean;
  }

  export type SimplePeerSignal =
    | { type: 'offer' | 'answer'; sdp: string }
    | { type: 'candidate'; candidate: RTCIceCandidateInit }
    | { type: 'renegotiate'; renegotiate: true };

  export default class SimplePeer {
    constructor(options?: SimplePeerOptions);
    readonly _pc: RTCPeerConnection;
    readonly _channel: RTCDataChannel | null;
    readonly connected: boolean;
    readonly destroyed: boolean;
    signal(data: SimplePeerSignal): void;
    negotiate(): void;
    destroy(error?: Error): void;
    on(event: 'signal', listener: (data: SimplePeerSignal) => void): this;
    on(event: 'connect' | 'close', listener: () => void): this;
    on(event: 'data', listener: (data: Uint8Array | string) => void): this;
    on(event: 'error', listener: (error: Error & { code?: string }) => void): this;
  }
}
