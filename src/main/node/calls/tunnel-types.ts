/**
 * What call signalling needs of the media tunnel (calls/media/), and what
 * the media side implements: the seam between the two halves of the calls
 * capability. A tunnel is a UDP port on 127.0.0.1 whose datagrams ride the
 * libp2p connection (or a WGT relay) to the call's peer; the renderer offers
 * it to WebRTC as a remote ICE candidate.
 */
export interface TunnelOptions {
  callId: string
  peerId: string
  /** 32 bytes, chosen by the caller and sent on the authenticated signalling stream */
  key: Uint8Array
  /** the caller dials; the callee waits for the inbound stream */
  dial: boolean
}

export interface TunnelStats {
  bytesIn: number
  bytesOut: number
  datagramsIn: number
  datagramsOut: number
  dropped: number
}

export interface MediaTunnel {
  /** bound at once (UDP 127.0.0.1) */
  readonly port: number
  /** the libp2p side attached; rejects with a WgtError if it cannot */
  readonly ready: Promise<'libp2p' | 'relay'>
  /** the route of the stream attached now (it may change when the tunnel re-attaches), null while none is */
  readonly route: 'libp2p' | 'relay' | null
  stats: () => TunnelStats
  /**
   * The other side's ICE credentials, from its SDP: from then on only a local
   * source that sends connectivity checks signed with them is the renderer
   * (media/stun.ts), so no other process on this machine can use the port.
   */
  expectIce: (ice: { ufrag: string, pwd: string }) => void
  /** idempotent; frees the socket and the stream */
  close: () => void
}

/** The libp2p service registered as 'callMedia'. */
export interface CallMedia {
  open: (opts: TunnelOptions) => MediaTunnel
}

export type OpenTunnel = (opts: TunnelOptions) => MediaTunnel
