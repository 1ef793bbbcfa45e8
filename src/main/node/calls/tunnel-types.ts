/**
 * The interface between call signalling and the media tunnel (DESIGN.md §8):
 * signalling opens a tunnel when a call is accepted and hands its UDP port to
 * the renderer as a remote ICE candidate; the tunnel carries the renderer's
 * datagrams over libp2p to the other node.
 */

export interface TunnelOptions {
  callId: string
  peerId: string
  /** 32 random bytes the caller chose and sent on the authenticated signalling stream */
  key: Uint8Array
  /** the caller dials; the callee waits for the inbound stream */
  dial: boolean
}

export interface MediaTunnel {
  /** UDP port on 127.0.0.1, bound at once */
  readonly port: number
  /** the libp2p side attached; rejects with a WgtError if it cannot */
  readonly ready: Promise<'libp2p' | 'relay'>
  stats(): { bytesIn: number, bytesOut: number, datagramsIn: number, datagramsOut: number, dropped: number }
  /** idempotent; frees the socket and the stream */
  close(): void
}

export interface CallMedia {
  open(opts: TunnelOptions): MediaTunnel
}
