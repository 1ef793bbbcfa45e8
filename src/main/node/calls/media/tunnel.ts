/**
 * One call's media tunnel: the renderer's UDP socket on one side, an attached
 * libp2p stream (direct, or through a WGT relay) on the other. The caller's
 * tunnel finds a route and dials, and dials again when an attached stream
 * breaks (a direct connection that dropped may leave a relayed path); the
 * callee's tunnel waits for the caller's stream and takes a newer one in
 * place of the old.
 */
import type { Stream } from '@libp2p/interface'
import { WgtError } from '../../../../shared/errors.js'
import { isWireViolation, Violation } from '../../wire/index.js'
import type { MediaTunnel, TunnelOptions } from '../tunnel-types.js'
import { Link } from './link.js'
import type { IceCredentials } from './stun.js'
import { RendererSocket } from './udp.js'

export type Route = 'libp2p' | 'relay'

/** What a tunnel needs from its service. */
export interface TunnelHost {
  /** Find a route to the peer and open an attached stream on it; a WgtError when there is none. */
  connect: (tunnel: Tunnel, signal: AbortSignal) => Promise<{ stream: Stream, route: Route, remote: string }>
  /** the tunnel closed: forget it */
  forget: (tunnel: Tunnel) => void
  violation: (peer: string, reason: string) => void
  log: (format: string, ...args: unknown[]) => void
}

export interface TunnelTiming {
  /** the caller's waits before each dial of the first attach; after the last, `ready` rejects */
  retryDelaysMs: number[]
  /** once attached, a broken stream is re-dialled this often until it attaches again or the tunnel closes */
  reattachEveryMs: number
  /** how long the callee's `ready` waits for the caller's stream */
  attachTimeoutMs: number
  maxQueueBytes: number
}

export class Tunnel implements MediaTunnel {
  readonly callId: string
  readonly peerId: string
  readonly key: Uint8Array
  readonly dial: boolean
  readonly port: number
  readonly ready: Promise<Route>
  /** the route of the attached stream, null while none is */
  route: Route | null = null
  private link: Link | null = null
  private attached = false
  private closed = false
  private readonly socket: RendererSocket
  private readonly abort = new AbortController()
  private resolveReady!: (route: Route) => void
  private rejectReady!: (err: WgtError) => void
  private readyTimer: ReturnType<typeof setTimeout> | undefined
  private dialing = false
  private readonly counts = { bytesIn: 0, bytesOut: 0, datagramsIn: 0, datagramsOut: 0, dropped: 0 }

  constructor (opts: TunnelOptions, private readonly host: TunnelHost, private readonly timing: TunnelTiming) {
    this.callId = opts.callId
    this.peerId = opts.peerId
    this.key = opts.key
    this.dial = opts.dial
    this.ready = new Promise<Route>((resolve, reject) => { this.resolveReady = resolve; this.rejectReady = reject })
    // whoever opened the tunnel may only close it and never look at `ready`: that is no crash
    this.ready.catch(() => {})
    this.socket = new RendererSocket({ datagram: d => { this.toPeer(d) }, refused: () => { this.counts.dropped++ } })
    this.port = this.socket.port
    if (this.dial) {
      void this.dialLoop()
    } else {
      this.readyTimer = setTimeout(() => {
        this.rejectReady(new WgtError('PEER_UNREACHABLE', `the caller's media stream for call ${this.callId} did not arrive within ${Math.round(timing.attachTimeoutMs / 1000)} s`))
      }, timing.attachTimeoutMs)
    }
  }

  /** The other side's ICE credentials (from its SDP): only the renderer that checks with them is served. */
  expectIce (ice: IceCredentials): void { this.socket.expectIce(ice) }

  get isClosed (): boolean { return this.closed }

  stats (): { bytesIn: number, bytesOut: number, datagramsIn: number, datagramsOut: number, dropped: number } {
    return { ...this.counts }
  }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.abort.abort(new WgtError('CANCELLED', 'the media tunnel was closed'))
    clearTimeout(this.readyTimer)
    this.rejectReady(new WgtError('CANCELLED', `the media tunnel of call ${this.callId} was closed before it attached`))
    this.link?.close()
    this.link = null
    this.route = null
    this.socket.close()
    this.host.forget(this)
  }

  /**
   * Carry datagrams on this stream, in place of any earlier one, until it ends.
   * Resolves when it ends; rejects with the Violation that ended it (for the
   * inbound handler, which counts it against the sender).
   */
  async attach (stream: Stream, route: Route, remote: string): Promise<void> {
    if (this.closed) {
      stream.abort(new Error('the media tunnel was closed'))
      return
    }
    const old = this.link
    const ended = Promise.withResolvers<void>()
    const link: Link = new Link(stream, {
      datagram: d => { this.toRenderer(d) },
      end: how => {
        if (this.link === link) {
          this.link = null
          this.route = null
          this.host.log('media stream of call %s via %s ended: %s', this.callId, remote, how.reason ?? (how.clean ? 'closed' : 'broken'))
          // a clean end is the far side's tunnel closing: the call is over, nothing to re-attach
          if (this.dial && !how.clean && !this.closed) void this.dialLoop()
        }
        if (how.violation != null) ended.reject(how.violation)
        else ended.resolve()
      }
    }, this.timing.maxQueueBytes)
    this.link = link
    this.route = route
    // the newer stream wins: the old one's connection has most likely gone
    old?.close()
    clearTimeout(this.readyTimer)
    this.attached = true
    this.resolveReady(route)
    return await ended.promise
  }

  private async dialLoop (): Promise<void> {
    if (this.dialing) return
    this.dialing = true
    const signal = this.abort.signal
    let last: unknown
    try {
      for (let i = 0; !this.closed && this.link == null; i++) {
        const wait = this.attached ? (i === 0 ? 0 : this.timing.reattachEveryMs) : this.timing.retryDelaysMs[i]
        if (wait == null) {
          this.rejectReady(new WgtError('PEER_UNREACHABLE', `no media route to ${this.peerId}: ${(last as Error | undefined)?.message ?? 'no connection'}`, { cause: last }))
          return
        }
        if (wait > 0) await sleep(wait, signal)
        if (this.closed) return
        let got: { stream: Stream, route: Route, remote: string }
        try {
          got = await this.host.connect(this, signal)
        } catch (err) {
          last = err
          continue
        }
        this.attach(got.stream, got.route, got.remote).catch(err => {
          if (err instanceof Violation || isWireViolation(err)) this.host.violation(got.remote, `call media: ${(err as Error).message}`)
        })
      }
    } catch (err) {
      // only the tunnel's closing aborts the sleep
      if (!this.closed) throw err
    } finally {
      this.dialing = false
    }
  }

  private toPeer (datagram: Uint8Array): void {
    if (this.link?.send(datagram) === true) {
      this.counts.datagramsOut++
      this.counts.bytesOut += datagram.byteLength
    } else {
      this.counts.dropped++
    }
  }

  private toRenderer (datagram: Uint8Array): void {
    if (this.socket.send(datagram)) {
      this.counts.datagramsIn++
      this.counts.bytesIn += datagram.byteLength
    } else {
      this.counts.dropped++
    }
  }
}

async function sleep (ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted()
  await new Promise<void>((resolve, reject) => {
    const done = (): void => { signal.removeEventListener('abort', onAbort); resolve() }
    const timer = setTimeout(done, ms)
    const onAbort = (): void => { clearTimeout(timer); reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
