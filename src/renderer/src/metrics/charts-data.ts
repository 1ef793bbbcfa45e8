/** Shapes the metrics history into rows for recharts. Pure, so it is unit-tested. */
import type { MetricsSample, PeerIdString } from '../../../shared/api/index.js'

export interface RttRows {
  /** one row per sample: t plus one key per peer (rtt p50 in ms, or null for a gap) */
  rows: Array<Record<string, number | null>>
  peerIds: PeerIdString[]
}

/** More lines than this stop being readable; the most recently seen peers win. */
export const MAX_RTT_SERIES = 8

export function rttRows (history: readonly MetricsSample[], maxSeries = MAX_RTT_SERIES): RttRows {
  // keep the peers seen most recently (the connected ones), ordered by first appearance so a
  // peer keeps its colour index while it stays in the window and newcomers go to the end
  const firstSeen = new Map<PeerIdString, number>()
  const lastSeen = new Map<PeerIdString, number>()
  history.forEach((s, i) => {
    for (const p of s.peers) {
      if (!firstSeen.has(p.peerId)) firstSeen.set(p.peerId, i)
      lastSeen.set(p.peerId, i)
    }
  })
  const byId = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0
  const peerIds = [...lastSeen.keys()]
    .sort((a, b) => (lastSeen.get(b) ?? 0) - (lastSeen.get(a) ?? 0) || byId(a, b))
    .slice(0, maxSeries)
    .sort((a, b) => (firstSeen.get(a) ?? 0) - (firstSeen.get(b) ?? 0) || byId(a, b))
  const rows = history.map(s => {
    const row: Record<string, number | null> = { t: s.t }
    for (const id of peerIds) row[id] = null
    for (const p of s.peers) if (Object.hasOwn(row, p.peerId) && p.peerId !== 't') row[p.peerId] = p.rttP50
    return row
  })
  return { rows, peerIds }
}

export interface TrafficRow { t: number, inBps: number, outBps: number }

export function trafficRows (history: readonly MetricsSample[]): TrafficRow[] {
  return history.map(s => ({ t: s.t, inBps: s.traffic.inBps, outBps: s.traffic.outBps }))
}

export interface CpuRow { t: number, cpuLoad: number | null }

export function cpuRows (history: readonly MetricsSample[]): CpuRow[] {
  return history.map(s => ({ t: s.t, cpuLoad: s.cpuLoad }))
}

/**
 * Axis ticks at round values from 0 to just above `max`: steps of 1, 2, 2.5 or 5
 * times a power of ten, in units of 1024^k for bytes so labels read "1 KiB", "2 KiB".
 */
export function niceTicks (max: number, count = 4, base: 'decimal' | 'bytes' = 'decimal'): number[] {
  const top = Number.isFinite(max) && max > 0 ? max : base === 'bytes' ? 1024 : 1
  const unit = base === 'bytes' ? 1024 ** Math.max(0, Math.floor(Math.log(top) / Math.log(1024))) : 1
  const raw = top / unit / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const norm = raw / mag
  const stepN = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10
  const step = stepN * mag * unit
  const ticks: number[] = []
  for (let i = 0; ; i++) {
    const v = Number((i * step).toPrecision(12))
    ticks.push(v)
    if (v >= top) break
  }
  return ticks
}

export function maxOf (rows: ReadonlyArray<Record<string, number | null>>, keys: readonly string[]): number {
  let m = 0
  for (const r of rows) {
    for (const k of keys) {
      const v = r[k]
      if (v != null && v > m) m = v
    }
  }
  return m
}
