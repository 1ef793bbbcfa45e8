/**
 * Prometheus text exposition of this node's measurements, built on prom-client
 * with a per-node Registry (the same one TrafficMeter gives libp2p, so its own
 * metrics come out too). Every value is read from the live services at scrape
 * time by collect() callbacks: nothing is copied, nothing goes stale.
 * Units follow Prometheus conventions: seconds and bytes, ratios 0..1.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import type { CallFigures, CallQuality, Capacity, RttStats, Traffic } from '../../../shared/api/index.js'

/** What the compute worker runs (compute/worker.ts figures()). */
export interface ComputeFigures {
  /** tasks running now, others' and this node's own */
  running: number
  /** tasks run for others and their CPU time, since the data directory was made */
  tasksTotal: number
  cpuMsTotal: number
}

export interface PrometheusSources {
  registry: Registry
  traffic: { totals: () => Traffic, traffic: (peerId: string) => Traffic }
  rtt: (peerId: string) => RttStats | null
  localCapacity: () => Capacity | null
  /** the peers to label per-peer series with: those connected now */
  connectedPeers: () => string[]
  /** the calls going on, with their renderers' newest figures */
  calls?: () => CallFigures[]
  /** the compute worker's figures, or null with no compute module */
  compute?: () => ComputeFigures | null
}

export class PrometheusExporter {
  readonly contentType: string

  constructor (private readonly src: PrometheusSources) {
    const registers = [src.registry]
    this.contentType = src.registry.contentType

    const total = (name: string, help: string, pick: (t: Traffic) => number): void => {
      // a counter mirrors a monotonic total kept elsewhere: reset then add it back at scrape time
      new Counter({ name, help, registers, collect () { this.reset(); this.inc(pick(src.traffic.totals())) } })
    }
    total('wgt_received_bytes_total', 'Bytes received on all libp2p connections since the node started', t => t.inTotal)
    total('wgt_sent_bytes_total', 'Bytes sent on all libp2p connections since the node started', t => t.outTotal)

    const gauge = (name: string, help: string, read: () => number | null): void => {
      new Gauge({ name, help, registers, collect () { this.reset(); const v = read(); if (v !== null) this.set(v) } })
    }
    gauge('wgt_receive_rate_bytes_per_second', 'Receive rate over the last metrics interval', () => src.traffic.totals().inBps)
    gauge('wgt_send_rate_bytes_per_second', 'Send rate over the last metrics interval', () => src.traffic.totals().outBps)
    gauge('wgt_connected_peers', 'Peers with at least one open connection', () => src.connectedPeers().length)

    const perPeer = (name: string, help: string, read: (peerId: string) => number | null, kind: 'gauge' | 'counter' = 'gauge'): void => {
      // reset first: a peer that disconnected must disappear from the output, not linger with its last value
      const collect = function (this: Gauge | Counter): void {
        this.reset()
        for (const peer of src.connectedPeers()) {
          const v = read(peer)
          if (v === null) continue
          if (this instanceof Gauge) this.set({ peer }, v)
          else this.inc({ peer }, v)
        }
      }
      if (kind === 'gauge') new Gauge({ name, help, labelNames: ['peer'], registers, collect })
      else new Counter({ name, help, labelNames: ['peer'], registers, collect })
    }
    perPeer('wgt_peer_received_bytes_total', 'Bytes received from a connected peer since the node started', p => src.traffic.traffic(p).inTotal, 'counter')
    perPeer('wgt_peer_sent_bytes_total', 'Bytes sent to a connected peer since the node started', p => src.traffic.traffic(p).outTotal, 'counter')
    perPeer('wgt_peer_receive_rate_bytes_per_second', 'Receive rate from a peer over the last metrics interval', p => src.traffic.traffic(p).inBps)
    perPeer('wgt_peer_send_rate_bytes_per_second', 'Send rate to a peer over the last metrics interval', p => src.traffic.traffic(p).outBps)
    const rtt = (pick: (s: RttStats) => number) => (p: string) => { const s = src.rtt(p); return s === null ? null : pick(s) }
    perPeer('wgt_peer_rtt_p50_seconds', 'Median probe round-trip time over the sliding window', rtt(s => s.p50 / 1000))
    perPeer('wgt_peer_rtt_p95_seconds', '95th percentile probe round-trip time over the sliding window', rtt(s => s.p95 / 1000))
    perPeer('wgt_peer_rtt_jitter_seconds', 'Mean absolute difference of consecutive probe RTTs', rtt(s => s.jitter / 1000))
    perPeer('wgt_peer_probe_loss_ratio', 'Unanswered probes / probes sent over the sliding window', rtt(s => s.loss))

    const cap = (name: string, help: string, pick: (c: Capacity) => number): void => {
      gauge(name, help, () => { const c = src.localCapacity(); return c === null ? null : pick(c) })
    }
    cap('wgt_capacity_cores', 'Logical CPUs', c => c.cores)
    cap('wgt_capacity_cpu_load_ratio', 'CPU busy share over all cores, 0..1, over the last capacity refresh', c => c.cpuLoad / 100)
    cap('wgt_capacity_memory_total_bytes', 'Physical memory', c => c.memTotal)
    cap('wgt_capacity_memory_available_bytes', 'Memory available without swapping (MemAvailable)', c => c.memFree)
    cap('wgt_capacity_disk_total_bytes', 'Size of the filesystem holding the data directory', c => c.diskTotal)
    cap('wgt_capacity_disk_free_bytes', 'Bytes available to the node on the filesystem holding the data directory', c => c.diskFree)

    const computeTotal = (name: string, help: string, pick: (f: ComputeFigures) => number): void => {
      new Counter({ name, help, registers, collect () { this.reset(); const f = src.compute?.(); if (f != null) this.inc(pick(f)) } })
    }
    gauge('wgt_compute_tasks_running', 'Compute tasks running on this node now (for others and its own jobs)', () => src.compute?.()?.running ?? null)
    computeTotal('wgt_compute_tasks_total', 'Compute tasks this node ran for others since its data directory was made', f => f.tasksTotal)
    computeTotal('wgt_compute_cpu_seconds_total', 'CPU time of the compute tasks this node ran for others since its data directory was made', f => f.cpuMsTotal / 1000)

    // per call going on, what its renderer measured last (getStats); a call that ended disappears
    const perCall = (name: string, help: string, read: (q: CallQuality) => number | null): void => {
      new Gauge({
        name,
        help,
        labelNames: ['call', 'peer', 'path'],
        registers,
        collect () {
          this.reset()
          for (const { callId, peerId, quality } of src.calls?.() ?? []) {
            const v = read(quality)
            if (v !== null) this.set({ call: callId, peer: peerId, path: quality.path }, v)
          }
        }
      })
    }
    perCall('wgt_call_rtt_seconds', 'Round trip of the call\'s selected ICE candidate pair', q => q.rttMs === null ? null : q.rttMs / 1000)
    perCall('wgt_call_receive_rate_bytes_per_second', 'Media received in the call over the renderer\'s last interval', q => q.recvKbps * 125)
    perCall('wgt_call_send_rate_bytes_per_second', 'Media sent in the call over the renderer\'s last interval', q => q.sendKbps * 125)
    perCall('wgt_call_frames_per_second', 'Video frames decoded per second in the call', q => q.fps)
    perCall('wgt_call_loss_ratio', 'Inbound packets lost over the renderer\'s last interval, 0..1', q => q.lossPct === null ? null : q.lossPct / 100)
    perCall('wgt_call_jitter_seconds', 'Inbound jitter of the call', q => q.jitterMs === null ? null : q.jitterMs / 1000)
  }

  /** The exposition text. Async because prom-client's registry is (collect callbacks may be). */
  async text (): Promise<string> {
    return await this.src.registry.metrics()
  }
}
