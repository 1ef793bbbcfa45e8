/**
 * /wgt/probe/1.0.0: RTT, jitter and loss per connected peer, measured on one
 * long-lived stream per peer (see probe-session.ts for why). The responder
 * echoes each Probe unchanged, one at a time, so a peer can have at most one
 * answer in flight per stream and at most maxInboundStreams streams.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import type { Connection, Libp2pEvents, PeerId, Stream, TypedEventTarget } from '@libp2p/interface'
import type { RttStats } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { closeStream, isWireViolation, ProtocolService, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../wire/index.js'
import { Probe as ProbeMessage } from './pb/probe.js'
import { ProbeSession } from './probe-session.js'
import { RttWindow } from './rtt-window.js'

export const PROBE_PROTOCOL = '/wgt/probe/1.0.0'

export interface ProbeInit extends ProtocolServiceInit {
  /** how often each connected peer is probed (default 1000 ms) */
  intervalMs?: number
  /** a probe unanswered this long is lost (default 2000 ms) */
  timeoutMs?: number
  /** probes kept per peer for the statistics (default 60) */
  windowSize?: number
  /** a responder stream silent this long is closed; the initiator reopens on its next probe (default 5 min) */
  idleTimeoutMs?: number
  /** largest accepted Probe message; a Probe is at most 6 bytes (default 16) */
  maxMessageSize?: number
  /** probes one initiator keeps outstanding per peer (default 4) */
  maxInFlight?: number
  /** inbound probe streams per connection (default 2: one live, one replacing it) */
  maxInboundStreams?: number
  /** most probes one ping() call may send (default 1000) */
  maxPingCount?: number
}

export interface ProbeComponents extends ProtocolComponents {
  events: TypedEventTarget<Libp2pEvents>
}

interface PeerState {
  session: ProbeSession
  window: RttWindow
  /** a periodic probe is outstanding: the next tick skips this peer rather than stacking probes */
  ticking: boolean
}

export class ProbeService extends ProtocolService<ProbeComponents> {
  readonly protocol = PROBE_PROTOCOL
  private readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly windowSize: number
  private readonly idleTimeoutMs: number
  private readonly maxMessageSize: number
  private readonly maxInFlight: number
  private readonly maxPingCount: number
  private readonly peers = new Map<string, PeerState>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private topologyId: string | undefined
  private running = false

  constructor (components: ProbeComponents, init: ProbeInit) {
    const maxInboundStreams = positive(init.maxInboundStreams ?? 2, 'maxInboundStreams')
    // relayed connections carry a data and time budget; a perpetual probe stream would spend it
    super(components, init.reputation, 'probe', { maxInboundStreams, maxOutboundStreams: 2, runOnLimitedConnection: false })
    this.intervalMs = positive(init.intervalMs ?? 1000, 'intervalMs')
    this.timeoutMs = positive(init.timeoutMs ?? 2000, 'timeoutMs')
    this.windowSize = positive(init.windowSize ?? 60, 'windowSize')
    this.idleTimeoutMs = positive(init.idleTimeoutMs ?? 5 * 60_000, 'idleTimeoutMs')
    this.maxMessageSize = positive(init.maxMessageSize ?? 16, 'maxMessageSize')
    this.maxInFlight = positive(init.maxInFlight ?? 4, 'maxInFlight')
    this.maxPingCount = positive(init.maxPingCount ?? 1000, 'maxPingCount')
    this.onDisconnect = this.onDisconnect.bind(this)
  }

  readonly [Symbol.toStringTag] = 'wgt/probe'

  protected override async onStart (): Promise<void> {
    const seen = new Set<string>()
    this.topologyId = await this.components.registrar.register(this.protocol, {
      filter: {
        has: id => seen.has(id.toString()),
        add: id => { seen.add(id.toString()) },
        remove: id => { seen.delete(id.toString()) }
      },
      onConnect: peerId => { this.stateFor(peerId) }
    })
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
    this.running = true
    this.schedule()
  }

  protected override async onStop (): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    this.timer = undefined
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    if (this.topologyId != null) this.components.registrar.unregister(this.topologyId)
    this.topologyId = undefined
    const sessions = [...this.peers.values()].map(async p => { await p.session.close() })
    this.peers.clear()
    await Promise.all(sessions)
  }

  /** RTT statistics over the sliding window; null when the peer is unknown or no probe was answered yet. */
  rtt (peerId: string): RttStats | null {
    return this.peers.get(peerId)?.window.stats() ?? null
  }

  /** Peers with a probe session, i.e. connected peers that speak the protocol. */
  probedPeers (): string[] {
    return [...this.peers.keys()]
  }

  /**
   * count probes sent back to back on the peer's long-lived stream, each
   * awaiting its echo; RTTs in ms, null for lost ones. Not recorded in the
   * window, whose statistics assume the steady intervalMs cadence.
   */
  async ping (peerId: string, count: number, options: { signal?: AbortSignal } = {}): Promise<Array<number | null>> {
    if (!this.running) throw new WgtError('NOT_RUNNING', 'probe service is not running')
    if (!Number.isInteger(count) || count < 1 || count > this.maxPingCount) {
      throw new WgtError('INVALID_INPUT', `count must be an integer 1..${this.maxPingCount}, got ${count}`)
    }
    let id: PeerId
    try {
      id = peerIdFromString(peerId)
    } catch (err) {
      throw new WgtError('INVALID_INPUT', `not a peer id: ${peerId}`, { cause: err })
    }
    if (this.components.connectionManager.getConnections(id).length === 0) {
      try {
        await this.components.connectionManager.openConnection(id, { signal: options.signal })
      } catch (err) {
        if (options.signal?.aborted === true) throw WgtError.from(options.signal.reason ?? err)
        throw new WgtError('PEER_UNREACHABLE', `cannot connect to ${peerId}: ${(err as Error).message}`, { cause: err })
      }
    }
    const state = this.stateFor(id)
    const rtts: Array<number | null> = []
    for (let i = 0; i < count; i++) {
      options.signal?.throwIfAborted()
      rtts.push(await state.session.probe(options.signal))
    }
    return rtts
  }

  private stateFor (peerId: PeerId): PeerState {
    const key = peerId.toString()
    let state = this.peers.get(key)
    if (state == null) {
      const session = new ProbeSession({
        open: async signal => await this.openProbe(peerId, signal),
        timeoutMs: this.timeoutMs,
        maxInFlight: this.maxInFlight,
        maxMessageSize: this.maxMessageSize,
        onViolation: reason => { this.violation(key, reason) }
      })
      state = { session, window: new RttWindow(this.windowSize), ticking: false }
      this.peers.set(key, state)
    }
    return state
  }

  private async openProbe (peerId: PeerId, signal?: AbortSignal): Promise<Stream> {
    return await this.open(peerId, signal ?? AbortSignal.timeout(this.timeoutMs * 5), signal)
  }

  private onDisconnect (evt: CustomEvent<PeerId>): void {
    const key = evt.detail.toString()
    const state = this.peers.get(key)
    if (state == null) return
    this.peers.delete(key)
    void state.session.close()
  }

  /** setTimeout chained after each tick is dispatched, so a stopped service leaves no timer behind. */
  private schedule (): void {
    if (!this.running) return
    this.timer = setTimeout(() => {
      this.tick()
      this.schedule()
    }, this.intervalMs)
    this.timer.unref?.()
  }

  private tick (): void {
    for (const [key, state] of this.peers) {
      if (state.ticking) continue
      state.ticking = true
      state.session.probe()
        .then(rtt => { state.window.record(rtt) })
        .catch(err => {
          // the stream could not be opened: no probe was sent, so nothing to count
          this.log('probe to %s not sent: %s', key, (err as Error).message)
          if ((err as WgtError).code === 'PROTOCOL') {
            this.peers.delete(key)
            void state.session.close()
          }
        })
        .finally(() => { state.ticking = false })
    }
  }

  /** The responder: echo each probe, one at a time, until the stream ends, idles out or misbehaves. */
  protected async serve (stream: Stream, _peer: string, _connection: Connection): Promise<void> {
    // the echo is written before the next probe is read, so a well-behaved initiator never has
    // more than maxInFlight small probes queued; anything beyond that is a flood
    const lp = lpStream(stream, { maxDataLength: this.maxMessageSize, maxBufferSize: this.maxMessageSize * (this.maxInFlight + 2) })
    try {
      while (stream.status === 'open') {
        const buf = await lp.read({ signal: AbortSignal.timeout(this.idleTimeoutMs) })
        let msg: ProbeMessage
        try {
          msg = ProbeMessage.decode(buf)
        } catch (err) {
          throw new Violation(`malformed probe: ${(err as Error).message}`)
        }
        await lp.write(ProbeMessage.encode({ seq: msg.seq }), { signal: AbortSignal.timeout(this.timeoutMs) })
      }
    } catch (err) {
      if (err instanceof Violation || isWireViolation(err)) throw err
      // EOF, idle timeout or reset: finish our half too so neither side keeps a dead stream
      await closeStream(stream)
    }
  }
}


function positive (n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new WgtError('INVALID_INPUT', `${name} must be a positive number, got ${n}`)
  return n
}

export function probe (init: ProbeInit): (components: ProbeComponents) => ProbeService {
  return (components) => new ProbeService(components, init)
}
