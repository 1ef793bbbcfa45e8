/**
 * /wgt/capacity/1.0.0: each node measures its own capacity every intervalMs
 * (runs never overlap) and pushes it to every connected peer that speaks the
 * protocol, one message per stream (like identify-push): when the peer
 * connects, and after a refresh that changed a figure noticeably or when
 * the last push is resendAfterMs old (worthPushing). The receiver
 * validates every field before keeping it; anything out of bounds is a
 * violation. The scheduler and the peer directory read remote(peerId).
 */
import type { Connection, Libp2pEvents, PeerId, Stream, TypedEventTarget } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Capacity } from '../../../shared/api/index.js'
import { abortStream, closeStream, ProtocolService, Violation, type ProtocolComponents, type ProtocolServiceInit } from '../wire/index.js'
import { capacityProblem, measureCapacity, worthPushing } from './capacity-measure.js'
import { CpuLoad } from './cpu-load.js'
import { CapacityMessage } from './pb/capacity.js'

export const CAPACITY_PROTOCOL = '/wgt/capacity/1.0.0'

export interface CapacityInit extends ProtocolServiceInit {
  /** the data directory: disk figures are for the filesystem holding it */
  dataDir: string
  /** refresh period while someone watches (default 5000 ms) */
  intervalMs?: number
  /**
   * refresh period while nobody watches (default 15 000 ms). A refresh reads
   * /proc/stat, /proc/meminfo and statfs, and one whose figures moved
   * noticeably is pushed to every peer (a stream each, and a peer-store write
   * on both ends). In an idle 7-daemon mesh, refreshing and pushing every 5 s
   * took ~0.1 % of a core per daemon (--cpu-prof, 55 s window), a tenth of the
   * 1 % budget, for figures only the scheduler reads while no UI is open.
   */
  idleIntervalMs?: number
  /** whether anyone watches the live figures (metrics/module.ts watched()); default: nobody */
  live?: () => boolean
  /** push a measurement at least this often even when nothing changed noticeably (default 60 s) */
  resendAfterMs?: number
  /** bound on writing or reading one push (default 5000 ms) */
  timeoutMs?: number
  /** largest accepted message; an encoded CapacityMessage is at most 60 bytes (default 128) */
  maxMessageSize?: number
  /** how far in the future a peer's measuredAt may be, for clock skew (default 5 min) */
  maxFutureSkewMs?: number
}

export interface CapacityComponents extends ProtocolComponents {
  events: TypedEventTarget<Libp2pEvents>
}

export type CapacityListener = (peerId: string | 'self') => void

export class CapacityService extends ProtocolService<CapacityComponents> {
  readonly protocol = CAPACITY_PROTOCOL
  private readonly intervalMs: number
  private readonly idleIntervalMs: number
  private readonly live: () => boolean
  /** when the last refresh began (Date.now()) */
  private lastRefreshAt = -Infinity
  private readonly resendAfterMs: number
  private readonly timeoutMs: number
  private readonly maxMessageSize: number
  private readonly maxFutureSkewMs: number
  private current: Capacity | null = null
  private lastPushed: Capacity | null = null
  private readonly remotes = new Map<string, Capacity>()
  /** connected peers that speak the protocol, and whether a push to each is in flight */
  private readonly peers = new Map<string, { id: PeerId, pushing: boolean }>()
  private readonly listeners = new Set<CapacityListener>()
  private refreshing: Promise<Capacity> | null = null
  /** this node's own reading, so the load is over its own refresh interval */
  private readonly cpuLoad = new CpuLoad()
  private timer: ReturnType<typeof setTimeout> | undefined
  private topologyId: string | undefined
  private running = false

  constructor (components: CapacityComponents, private readonly init: CapacityInit) {
    super(components, init.reputation, 'capacity', { maxInboundStreams: 2, maxOutboundStreams: 2, runOnLimitedConnection: true })
    this.intervalMs = init.intervalMs ?? 5000
    this.idleIntervalMs = Math.max(this.intervalMs, init.idleIntervalMs ?? 15_000)
    this.live = init.live ?? (() => false)
    this.resendAfterMs = init.resendAfterMs ?? 60_000
    this.timeoutMs = init.timeoutMs ?? 5000
    this.maxMessageSize = init.maxMessageSize ?? 128
    this.maxFutureSkewMs = init.maxFutureSkewMs ?? 5 * 60_000
    this.onDisconnect = this.onDisconnect.bind(this)
  }

  readonly [Symbol.toStringTag] = 'wgt/capacity'

  protected override async onStart (): Promise<void> {
    const seen = new Set<string>()
    this.topologyId = await this.components.registrar.register(this.protocol, {
      filter: { has: id => seen.has(id.toString()), add: id => { seen.add(id.toString()) }, remove: id => { seen.delete(id.toString()) } },
      notifyOnLimitedConnection: true,
      onConnect: peerId => {
        this.peers.set(peerId.toString(), { id: peerId, pushing: false })
        if (this.current != null) this.pushTo(peerId.toString(), this.current)
      }
    })
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
    this.running = true
    // the first measurement runs in the background: start() should not wait for it
    this.loop()
  }

  protected override async onStop (): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    this.timer = undefined
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
    if (this.topologyId != null) this.components.registrar.unregister(this.topologyId)
    this.topologyId = undefined
    await this.refreshing?.catch(() => {})
    this.peers.clear()
  }

  /** This node's latest measurement; null until the first one completes. */
  local (): Capacity | null {
    return this.current
  }

  /** What a connected peer last advertised (validated); null if nothing yet or it disconnected. */
  remote (peerId: string): Capacity | null {
    return this.remotes.get(peerId) ?? null
  }

  /** Called with a peer id when its advertisement changes or goes, and with 'self' after each local refresh. */
  onUpdate (listener: CapacityListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Measure now; a refresh already running is joined rather than overlapped. Pushes the result if it changed. */
  async refresh (): Promise<Capacity> {
    this.refreshing ??= (async () => {
      this.lastRefreshAt = Date.now()
      try {
        const c = await measureCapacity(this.init.dataDir, this.cpuLoad)
        this.current = c
        this.emit('self')
        if (this.running && worthPushing(this.lastPushed, c, this.resendAfterMs)) {
          this.lastPushed = c
          for (const key of this.peers.keys()) this.pushTo(key, c)
        }
        return c
      } finally {
        this.refreshing = null
      }
    })()
    return await this.refreshing
  }

  /**
   * Wakes each intervalMs and refreshes if someone watches or the last refresh
   * is idleIntervalMs old: a client that starts watching gets fresh figures
   * within intervalMs, not after the rest of an idle period.
   */
  private loop (): void {
    if (!this.running) return
    const due = this.live() || Date.now() - this.lastRefreshAt >= this.idleIntervalMs - this.intervalMs / 2
    const work: Promise<unknown> = due ? this.refresh() : Promise.resolve()
    work
      .catch(err => { this.log.error('capacity measurement failed - %e', err) })
      .finally(() => {
        if (!this.running) return
        this.timer = setTimeout(() => { this.loop() }, this.intervalMs)
        this.timer.unref?.()
      })
  }

  private pushTo (key: string, c: Capacity): void {
    const peer = this.peers.get(key)
    if (peer == null || peer.pushing) return
    peer.pushing = true
    this.push(peer.id, c)
      .catch(err => { this.log('push to %p failed: %s', peer.id, (err as Error).message) })
      .finally(() => { peer.pushing = false })
  }

  private async push (peerId: PeerId, c: Capacity): Promise<void> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    const stream = await this.open(peerId, signal)
    try {
      const lp = lpStream(stream, { maxDataLength: this.maxMessageSize })
      await lp.write(CapacityMessage.encode(c), { signal })
      await stream.close({ signal })
    } catch (err) {
      abortStream(stream, (err as Error).message)
      throw err
    }
  }

  /** One message per stream: read it within timeoutMs, validate, keep, close. */
  protected async serve (stream: Stream, peer: string, connection: Connection): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: this.maxMessageSize, maxBufferSize: this.maxMessageSize * 2 })
    const buf = await lp.read({ signal: AbortSignal.timeout(this.timeoutMs) })
    let msg: CapacityMessage
    try {
      msg = CapacityMessage.decode(buf)
    } catch (err) {
      throw new Violation(`malformed capacity message: ${(err as Error).message}`)
    }
    const c: Capacity = { ...msg }
    const problem = capacityProblem(c, Date.now(), this.maxFutureSkewMs)
    if (problem != null) throw new Violation(`invalid capacity: ${problem}`)
    if (this.running && this.components.connectionManager.getConnections(connection.remotePeer).length > 0) {
      this.remotes.set(peer, c)
      this.emit(peer)
    }
    await closeStream(stream)
  }

  private onDisconnect (evt: CustomEvent<PeerId>): void {
    const key = evt.detail.toString()
    this.peers.delete(key)
    if (this.remotes.delete(key)) this.emit(key)
  }

  private emit (peerId: string | 'self'): void {
    for (const l of this.listeners) {
      try { l(peerId) } catch (err) { this.log.error('capacity listener threw - %e', err) }
    }
  }
}

export function capacity (init: CapacityInit): (components: CapacityComponents) => CapacityService {
  return (components) => new CapacityService(components, init)
}
