/**
 * The metrics tick: once per interval it samples traffic rates, records a
 * history point for the charts, emits it, and, while an API client watches,
 * has the peer directory re-emit connected peers so RTT and rates stay live
 * in every UI. The history is kept whether or not anyone watches: a UI that
 * opens later draws the last minutes from it (getHistory).
 */
import type { Libp2p } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import type { CallFigures, Capacity, MetricsHistory, MetricsSample, MetricsSnapshot, RttStats, Traffic } from '../../../shared/api/index.js'
import { DEFAULT_HISTORY_SAMPLES, RingBuffer } from './history.js'
import type { PeerDirectory } from '../net/peer-directory.js'

export interface TelemetryParts {
  libp2p: Libp2p
  directory: PeerDirectory
  meter: { sample: (now: number) => void, traffic: (peerId: string) => Traffic, totals: () => Traffic }
  probe: { rtt: (peerId: string) => RttStats | null }
  capacity: { local: () => Capacity | null }
  /** the calls going on, with their renderers' newest figures */
  calls?: () => CallFigures[]
  /**
   * whether anyone receives the directory's re-emitted peers (default: always).
   * Nobody watching, re-emitting is skipped: it rebuilt every connected peer's
   * entry each second for no receiver. Real changes (connect, identify,
   * protocols, addresses) are emitted by the directory as they happen.
   */
  watched?: () => boolean
  intervalMs: number
  historySamples?: number
}

export class Telemetry extends TypedEventEmitter<{ sample: CustomEvent<MetricsSample> }> {
  private readonly ring: RingBuffer<MetricsSample>
  private timer?: ReturnType<typeof setInterval>

  constructor (private readonly parts: TelemetryParts) {
    super()
    this.ring = new RingBuffer(parts.historySamples ?? DEFAULT_HISTORY_SAMPLES)
  }

  start (): void {
    if (this.timer != null) return
    this.timer = setInterval(() => { this.tick() }, this.parts.intervalMs)
  }

  stop (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  tick (now = Date.now()): MetricsSample {
    const { meter, probe, capacity, directory } = this.parts
    meter.sample(now)
    const local = capacity.local()
    const sample: MetricsSample = {
      t: now,
      traffic: meter.totals(),
      cpuLoad: local?.cpuLoad ?? null,
      memFree: local?.memFree ?? null,
      peers: directory.connectedIds().map(peerId => {
        const t = meter.traffic(peerId)
        return { peerId, rttP50: probe.rtt(peerId)?.p50 ?? null, inBps: t.inBps, outBps: t.outBps }
      })
    }
    const calls = this.parts.calls?.() ?? []
    if (calls.length > 0) sample.calls = calls
    this.ring.push(sample)
    this.dispatchEvent(new CustomEvent('sample', { detail: sample }))
    if (this.parts.watched?.() ?? true) void directory.refreshConnected()
    return sample
  }

  history (): MetricsHistory {
    return { intervalMs: this.parts.intervalMs, samples: this.ring.toArray() }
  }

  snapshot (): MetricsSnapshot {
    const { meter, probe, capacity, directory, libp2p } = this.parts
    return {
      t: Date.now(),
      traffic: meter.totals(),
      capacity: capacity.local(),
      connections: libp2p.getConnections().length,
      peers: directory.connectedIds().map(peerId => ({ peerId, rtt: probe.rtt(peerId), traffic: meter.traffic(peerId) }))
    }
  }
}
