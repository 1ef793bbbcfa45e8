/**
 * Bytes in and out, per peer and in total, measured on the wire.
 *
 * libp2p 3 hands every raw connection (before encryption and muxing) to the
 * `metrics` component's trackMultiaddrConnection(). We count there, so the
 * figures are what actually crossed the socket: payload plus noise, yamux and
 * multistream overhead, and the handshakes.
 *
 * How, and why not the obvious way:
 * - inbound: wrapping the connection's onData(). Adding a 'message' listener
 *   would change the stream's behaviour: a MessageStream with no listener
 *   buffers data for the next reader (the noise handshake relies on it), one
 *   with a listener dispatches it at once, so a passive listener would eat
 *   handshake bytes.
 * - outbound: wrapping sendData(), which returns the bytes it handed to the
 *   socket (send() only queues).
 * - peer: at track time the remote PeerId is often unknown (inbound, or a dial
 *   by address). A Connection shares its maConn's timeline object, so the
 *   'connection:open' event tells which peer a tracked maConn belongs to; bytes
 *   counted before that (the handshake) are credited to the peer then.
 */
import type { ComponentLogger, Connection, Libp2pEvents, Logger, Metrics, MultiaddrConnection, Startable, Stream, TypedEventTarget } from '@libp2p/interface'
import { Registry } from 'prom-client'
import type { Traffic } from '../../../shared/api/index.js'
import { Libp2pMetricRegistry } from './libp2p-metrics.js'

export interface TrafficMeterInit {
  /** the per-node registry libp2p's own metrics go into (default: a new one) */
  registry?: Registry
  /** a disconnected peer's totals are forgotten this long after its last connection closed (default 1 h) */
  forgetAfterMs?: number
}

export interface TrafficComponents {
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

interface PeerCounters {
  inTotal: number
  outTotal: number
  inBps: number
  outBps: number
  prevIn: number
  prevOut: number
  open: number
  closedAt: number
}

interface ConnCounters {
  peer: PeerCounters | null
  pendingIn: number
  pendingOut: number
  closed: boolean
}

type Countable = MultiaddrConnection & {
  onData?: (data: Uint8Array | { byteLength: number }) => void
  sendData?: (data: unknown) => { sentBytes: number, canSendMore: boolean }
}

const ZERO: Traffic = { inBps: 0, outBps: 0, inTotal: 0, outTotal: 0 }

export class TrafficMeter {
  readonly registry: Registry
  private readonly forgetAfterMs: number
  private readonly peers = new Map<string, PeerCounters>()
  private readonly byTimeline = new WeakMap<object, ConnCounters>()
  private inTotal = 0
  private outTotal = 0
  private inBps = 0
  private outBps = 0
  private prevIn = 0
  private prevOut = 0
  private lastSample: number | null = null
  private untracked = 0

  /** pass as libp2p's `metrics` option: `createLibp2p({ metrics: meter.factory })` */
  readonly factory: (components: TrafficComponents) => Metrics

  constructor (init: TrafficMeterInit = {}) {
    this.registry = init.registry ?? new Registry()
    this.forgetAfterMs = init.forgetAfterMs ?? 3_600_000
    const libp2pMetrics = new Libp2pMetricRegistry(this.registry)
    this.factory = (components) => new MetricsComponent(components, this, libp2pMetrics)
  }

  /** Per-peer traffic; zeros for a peer never seen. Rates are those of the last sample() interval. */
  traffic (peerId: string): Traffic {
    const p = this.peers.get(peerId)
    return p == null ? { ...ZERO } : { inBps: p.inBps, outBps: p.outBps, inTotal: p.inTotal, outTotal: p.outTotal }
  }

  totals (): Traffic {
    return { inBps: this.inBps, outBps: this.outBps, inTotal: this.inTotal, outTotal: this.outTotal }
  }

  /** Peers with counters (connected now, or recently). */
  knownPeers (): string[] {
    return [...this.peers.keys()]
  }

  /** Connections whose transport offered no way to count bytes (none among libp2p's own transports). */
  untrackedConnections (): number {
    return this.untracked
  }

  /**
   * Compute rates over the time since the previous call; call once per metrics tick.
   * now is in ms (Date.now() or performance.now(), but always the same clock).
   */
  sample (now: number): void {
    const dt = this.lastSample === null ? 0 : (now - this.lastSample) / 1000
    this.lastSample = now
    const rate = (cur: number, prev: number): number => dt > 0 ? (cur - prev) / dt : 0
    this.inBps = rate(this.inTotal, this.prevIn)
    this.outBps = rate(this.outTotal, this.prevOut)
    this.prevIn = this.inTotal
    this.prevOut = this.outTotal
    for (const [id, p] of this.peers) {
      p.inBps = rate(p.inTotal, p.prevIn)
      p.outBps = rate(p.outTotal, p.prevOut)
      p.prevIn = p.inTotal
      p.prevOut = p.outTotal
      if (p.open === 0 && Date.now() - p.closedAt > this.forgetAfterMs) this.peers.delete(id)
    }
  }

  /** @internal called by the metrics component */
  track (maConn: Countable): void {
    const conn: ConnCounters = { peer: null, pendingIn: 0, pendingOut: 0, closed: false }
    const onData = maConn.onData
    const sendData = maConn.sendData
    if (typeof onData !== 'function' || typeof sendData !== 'function') {
      this.untracked++
      return
    }
    this.byTimeline.set(maConn.timeline, conn)
    maConn.onData = (data) => {
      this.countIn(conn, data.byteLength)
      onData.call(maConn, data)
    }
    maConn.sendData = (data) => {
      const result = sendData.call(maConn, data)
      this.countOut(conn, result.sentBytes)
      return result
    }
    maConn.addEventListener('close', () => {
      conn.closed = true
      if (conn.peer != null) { conn.peer.open--; conn.peer.closedAt = Date.now() }
    }, { once: true })
  }

  /** @internal a connection finished upgrading: now its peer is known */
  attribute (connection: Connection): void {
    const conn = this.byTimeline.get(connection.timeline)
    if (conn == null || conn.peer != null) return
    const id = connection.remotePeer.toString()
    let p = this.peers.get(id)
    if (p == null) {
      p = { inTotal: 0, outTotal: 0, inBps: 0, outBps: 0, prevIn: 0, prevOut: 0, open: 0, closedAt: 0 }
      this.peers.set(id, p)
    }
    conn.peer = p
    p.inTotal += conn.pendingIn
    p.outTotal += conn.pendingOut
    conn.pendingIn = conn.pendingOut = 0
    if (conn.closed) p.closedAt = Date.now()
    else p.open++
  }

  private countIn (conn: ConnCounters, n: number): void {
    this.inTotal += n
    if (conn.peer != null) conn.peer.inTotal += n
    else conn.pendingIn += n
  }

  private countOut (conn: ConnCounters, n: number): void {
    this.outTotal += n
    if (conn.peer != null) conn.peer.outTotal += n
    else conn.pendingOut += n
  }
}

/** The object libp2p holds as its `metrics` component. */
class MetricsComponent implements Metrics, Startable {
  private readonly log: Logger
  private readonly onOpen = (evt: CustomEvent<Connection>): void => { this.meter.attribute(evt.detail) }

  constructor (private readonly components: TrafficComponents, private readonly meter: TrafficMeter, private readonly reg: Libp2pMetricRegistry) {
    this.log = components.logger.forComponent('wgt:traffic')
  }

  readonly [Symbol.toStringTag] = 'wgt/traffic'

  start (): void {
    this.components.events.addEventListener('connection:open', this.onOpen)
  }

  stop (): void {
    this.components.events.removeEventListener('connection:open', this.onOpen)
  }

  trackMultiaddrConnection (maConn: MultiaddrConnection): void {
    const before = this.meter.untrackedConnections()
    this.meter.track(maConn)
    if (this.meter.untrackedConnections() > before) this.log('connection to %a offers no byte hooks; its traffic is not counted', maConn.remoteAddr)
  }

  /** Bytes are counted once, on the connection; per-protocol accounting is not needed by WGT. */
  trackProtocolStream (_stream: Stream): void {}

  registerMetric = ((name: string, opts?: any) => this.reg.register('gauge', name, opts)) as Metrics['registerMetric']
  registerMetricGroup = ((name: string, opts?: any) => this.reg.register('gaugeGroup', name, opts)) as Metrics['registerMetricGroup']
  registerCounter = ((name: string, opts?: any) => this.reg.register('counter', name, opts)) as Metrics['registerCounter']
  registerCounterGroup = ((name: string, opts?: any) => this.reg.register('counterGroup', name, opts)) as Metrics['registerCounterGroup']
  registerHistogram = ((name: string, opts?: any) => this.reg.register('histogram', name, opts)) as Metrics['registerHistogram']
  registerHistogramGroup = ((name: string, opts?: any) => this.reg.register('histogramGroup', name, opts)) as Metrics['registerHistogramGroup']
  registerSummary = ((name: string, opts?: any) => this.reg.register('summary', name, opts)) as Metrics['registerSummary']
  registerSummaryGroup = ((name: string, opts?: any) => this.reg.register('summaryGroup', name, opts)) as Metrics['registerSummaryGroup']

  /** Tracing is OpenTelemetry's job (@libp2p/opentelemetry-metrics); without it a traced function is the function. */
  traceFunction<F extends (...args: any[]) => any>(_name: string, fn: F): F { return fn }
  createTrace (): undefined { return undefined }
}

export function trafficMeter (init: TrafficMeterInit = {}): TrafficMeter {
  return new TrafficMeter(init)
}
