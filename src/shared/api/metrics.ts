/** metrics: traffic, capacity and per-peer RTT now, and the history behind the charts. */
import { carries, method, returns } from './define.js'
import type { CallQuality } from './calls.js'
import type { Capacity, PeerIdString, RttStats, Traffic } from './net.js'

export interface TrafficTotals extends Traffic {}

/** One sample of the periodic metrics tick. */
export interface MetricsSample {
  t: number
  traffic: TrafficTotals
  cpuLoad: number | null
  memFree: number | null
  /** per connected peer: rtt p50 over the window (ms, null if none yet) and rates */
  peers: Array<{ peerId: PeerIdString, rttP50: number | null, inBps: number, outBps: number }>
  /** per call going on, what its renderer measured last (absent when no call reported within the last 10 s) */
  calls?: CallFigures[]
}

/** A call's newest figures, as its renderer reported them (calls.reportCallQuality). */
export interface CallFigures {
  callId: string
  peerId: PeerIdString
  quality: CallQuality
}

export interface MetricsSnapshot {
  t: number
  traffic: TrafficTotals
  capacity: Capacity | null
  connections: number
  peers: Array<{ peerId: PeerIdString, rtt: RttStats | null, traffic: Traffic }>
}

export interface MetricsHistory {
  intervalMs: number
  samples: MetricsSample[]
}

export const metrics = {
  name: 'metrics',
  methods: {
    getMetrics: method({ args: z => z.tuple([]), result: returns<MetricsSnapshot>() }),
    getHistory: method({ args: z => z.tuple([]), result: returns<MetricsHistory>() })
  },
  events: {
    /** the periodic metrics tick (once per metrics interval) */
    'metrics:sample': carries<MetricsSample>()
  }
} as const
