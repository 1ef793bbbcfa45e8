/**
 * /wgt/probe/1.0.0: RTT, jitter and loss per connected peer, measured on one
 * long-lived stream per peer (see probe-session.ts for why). The responder
 * echoes each Probe unchanged, one at a time, so a peer can have at most one
 * answer in flight per stream and at most maxInboundStreams streams.
 *
 * Cadence: every connected peer is probed each intervalMs (1 s) until its RTT
 * is settled, i.e. settleProbes answered probes in a row none of which moved
 * (see judge()), then each idleIntervalMs (15 s). A lost probe or a moved RTT
 * brings that peer back to 1 s, a newly connected peer starts at 1 s, and
 * while live() says someone watches the figures (an API client subscribed to
 * the metrics tick or peer updates: the peers table, the map's RTT rings, the
 * charts) every peer is probed at 1 s. Why: each probe is a yamux frame, a TLS
 * record and a socket write on both ends; at 1 s to six peers (and their six
 * to us) probing was the largest share of an idle daemon's ~7.5 % of a core
 * (bench/idle.js, --cpu-prof), for figures nobody read and that did not move.
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
  /** how often each connected peer is probed while its RTT is settling or someone watches (default 1000 ms) */
  intervalMs?: number
  /** how often a peer whose RTT is settled is probed while nobody watches (default 15 000 ms) */
  idleIntervalMs?: number
  /** answered probes in a row, none of which moved, after which a peer's RTT counts as settled (default 10) */
  settleProbes?: number
  /** least margin outside the window's middle half for an RTT to be off (default 2 ms; see judge()) */
  moveFloorMs?: number
  /** whether anyone watches the live figures now: then every peer is probed each intervalMs (default: nobody) */
  live?: () => boolean
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
  /** answered probes in a row that did not move the RTT; the peer is settled at settleProbes */
  calm: number
  /** when the last periodic probe was sent (performance.now()) */
  lastSentAt: number
  /** the last probe alone was off the window's median: the next one goes at the full cadence */
  suspect: boolean
}

export class ProbeService extends ProtocolService<ProbeComponents> {
  readonly protocol = PROBE_PROTOCOL
  private readonly intervalMs: number
  private readonly idleIntervalMs: number
  private readonly settleProbes: number
  private readonly moveFloorMs: number
  private readonly live: () => boolean
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
    this.idleIntervalMs = Math.max(this.intervalMs, positive(init.idleIntervalMs ?? 15_000, 'idleIntervalMs'))
    this.settleProbes = positive(init.settleProbes ?? 10, 'settleProbes')
    this.moveFloorMs = positive(init.moveFloorMs ?? 2, 'moveFloorMs')
    this.live = init.live ?? (() => false)
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

  /** Whether the peer's RTT is settled, i.e. it is probed each idleIntervalMs while nobody watches. */
  settled (peerId: string): boolean {
    const state = this.peers.get(peerId)
    return state != null && state.calm >= this.settleProbes
  }

  /**
   * count probes sent back to back on the peer's long-lived stream, each
   * awaiting its echo; RTTs in ms, null for lost ones. Not recorded in the
   * window, which holds only the periodic probes (see RttWindow on cadence).
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
      state = { session, window: new RttWindow(this.windowSize), ticking: false, calm: 0, lastSentAt: -Infinity, suspect: false }
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

  /** One round of the periodic probes, as the timer runs it (public for tests); how many probes it sent. */
  tick (now = performance.now()): number {
    const live = this.live()
    let sent = 0
    for (const [key, state] of this.peers) {
      if (state.ticking) continue
      // half a tick of slack: the timer fires every intervalMs, so a due peer is not put off a whole tick
      if (!live && !state.suspect && state.calm >= this.settleProbes && now - state.lastSentAt < this.idleIntervalMs - this.intervalMs / 2) continue
      state.ticking = true
      state.lastSentAt = now
      sent++
      state.session.probe()
        .then(rtt => {
          const verdict = this.judge(state.window, rtt)
          state.calm = verdict === 'moved' ? 0 : verdict === 'calm' ? state.calm + 1 : state.calm
          state.suspect = verdict === 'suspect'
          state.window.record(rtt)
        })
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
    return sent
  }

  /**
   * What a periodic probe says about the peer's RTT, against the window as it
   * was before it (see the module comment). An RTT is off when it lies
   * outside the window's middle half (p25..p75) by more than a margin: the
   * larger of moveFloorMs and half the median.
   *  - 'moved': the probe was lost, or the median of the last three answered
   *    probes is off. Two probes in three at a new level is a shift the
   *    figures must follow: probed at 1 s until the window has caught up and
   *    held for settleProbes probes.
   *  - 'suspect': this probe alone is off. One late echo on a busy machine is
   *    noise, so it does not unsettle the peer, but the next probe goes at
   *    once to tell noise from a shift.
   *  - 'calm': anything else.
   * The band is the window's own spread, so a peer whose RTT is noisy is not
   * forever "moving": on this 2-core machine under a load average of 28,
   * loopback RTTs had p50 8 ms and p95 30 to 250 ms, and a band of half the
   * median around it kept every peer at 1 s. Half the median is a change the
   * peers table and the map's RTT rings (log scale) visibly show; the floor
   * keeps sub-millisecond loopback and LAN RTTs from counting scheduling
   * noise as movement.
   */
  private judge (window: RttWindow, rtt: number | null): 'moved' | 'suspect' | 'calm' {
    if (rtt === null) return 'moved'
    const q = window.quantiles([0.25, 0.5, 0.75])
    if (q == null) return 'calm'
    const [p25, p50, p75] = q
    const margin = Math.max(this.moveFloorMs, p50 / 2)
    const off = (r: number): boolean => r > p75 + margin || r < p25 - margin
    if (!off(rtt)) return 'calm'
    const recent = [...window.lastAnswered(2), rtt].sort((x, y) => x - y)
    return recent.length === 3 && off(recent[1]) ? 'moved' : 'suspect'
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
