/**
 * The metrics capability: RTT probes, capacity advertisements and the
 * traffic meter as libp2p parts, the metrics tick with its history, the
 * Prometheus text, and the metrics slice of the API.
 */
import type { CallFigures, SliceApi, metrics } from '../../../shared/api/index.js'
import { REPUTATION } from '../guard/module.js'
import type { EventHub } from '../../../shared/rpc.js'
import { part, type NodeModule } from '../module.js'
import { PEER_DIRECTORY, PEER_MEASURES, PINGER } from '../net/module.js'
import type { CapacityService } from './capacity.js'
import { capacity, probe, trafficMeter, PrometheusExporter, type ProbeService } from './index.js'
import { Telemetry } from './telemetry.js'
import type { ComputeFigures } from './prometheus.js'

/** Prometheus text exposition of this node's metrics */
export const PROMETHEUS = part<() => Promise<string>>('metrics.prometheus')
const METER = part<ReturnType<typeof trafficMeter>>('metrics.meter')

/** Figures other modules measure and the metrics history and Prometheus keep; a module plugs its reader in once. */
export interface MetricFeeds {
  plugCalls: (read: () => CallFigures[]) => void
  plugCompute: (read: () => ComputeFigures) => void
}
export const METRIC_FEEDS = part<MetricFeeds>('metrics.feeds')
const CALL_READER = part<{ read: () => CallFigures[] }>('metrics.call-reader')
const COMPUTE_READER = part<{ read: () => ComputeFigures | null }>('metrics.compute-reader')

/**
 * Whether an API client watches the live figures: every UI on screen (the
 * peers table, the map's RTT rings, the charts) subscribes to the metrics
 * tick. While one does, RTTs are probed at the full cadence and connected
 * peers are re-emitted each tick. Peer updates alone do not count: the
 * desktop app's tray follows them for its peer count for as long as the app
 * runs, and the app in the tray must cost what an idle daemon does (ipc.ts
 * forwards the tick only while a window is on screen).
 */
export function watched (events: EventHub): boolean {
  return events.listening('metrics:sample')
}

export const metricsModule: NodeModule = {
  name: 'metrics',
  open: ctx => {
    // no call module plugged in: no calls to report
    const calls = { read: (): CallFigures[] => [] }
    ctx.provide(CALL_READER, calls)
    // no compute module plugged in: no compute series
    const compute = { read: (): ComputeFigures | null => null }
    ctx.provide(COMPUTE_READER, compute)
    ctx.provide(METRIC_FEEDS, { plugCalls: read => { calls.read = read }, plugCompute: read => { compute.read = read } })
  },
  libp2p: ctx => {
    const reputation = ctx.need(REPUTATION)
    const meter = trafficMeter()
    ctx.provide(METER, meter)
    return {
      services: {
        probe: probe({ intervalMs: ctx.config.probeIntervalMs, idleIntervalMs: ctx.config.probeIdleIntervalMs, live: () => watched(ctx.events), reputation }),
        capacity: capacity({ dataDir: ctx.config.dataDir, live: () => watched(ctx.events), reputation })
      },
      metrics: meter.factory
    }
  },
  start: ctx => {
    const meter = ctx.need(METER)
    const probeService = ctx.service<ProbeService>('probe')
    const capacityService = ctx.service<CapacityService>('capacity')
    const directory = ctx.need(PEER_DIRECTORY)
    ctx.need(PEER_MEASURES).plug({
      rtt: id => probeService.rtt(id),
      traffic: id => meter.traffic(id),
      capacity: id => capacityService.remote(id)
    })
    ctx.provide(PINGER, { ping: async (id, count) => await probeService.ping(id, count) })
    const calls = ctx.need(CALL_READER)
    const compute = ctx.need(COMPUTE_READER)
    const telemetry = new Telemetry({ libp2p: ctx.libp2p, directory, meter, probe: probeService, capacity: capacityService, calls: () => calls.read(), watched: () => watched(ctx.events), intervalMs: ctx.config.metricsIntervalMs })
    const exporter = new PrometheusExporter({
      registry: meter.registry,
      traffic: meter,
      rtt: id => probeService.rtt(id),
      localCapacity: () => capacityService.local(),
      connectedPeers: () => directory.connectedIds(),
      calls: () => calls.read(),
      compute: () => compute.read()
    })
    ctx.provide(PROMETHEUS, async () => await exporter.text())
    const onSample = (evt: Event): void => { ctx.events.emit('metrics:sample', (evt as CustomEvent).detail) }
    telemetry.addEventListener('sample', onSample)
    telemetry.start()
    const api: SliceApi<typeof metrics> = {
      getMetrics: async () => telemetry.snapshot(),
      getHistory: async () => telemetry.history()
    }
    return {
      api,
      stop: () => {
        telemetry.stop()
        telemetry.removeEventListener('sample', onSample)
      }
    }
  }
}
