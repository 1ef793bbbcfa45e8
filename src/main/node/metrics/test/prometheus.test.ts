import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { Libp2p } from '@libp2p/interface'
import { capacity, type CapacityService } from '../capacity.js'
import { probe, type ProbeService } from '../probe.js'
import { PrometheusExporter } from '../prometheus.js'
import { trafficMeter, type TrafficMeter } from '../traffic.js'
import { makeNode, ViolationLog, waitFor } from './nodes.js'

const dataDir = mkdtempSync(join(tmpdir(), 'wgt-prom-'))
afterAll(() => { rmSync(dataDir, { recursive: true, force: true }) })
type Node = Libp2p<{ probe: ProbeService, capacity: CapacityService }>
const started: Libp2p[] = []
afterEach(async () => { await Promise.all(started.splice(0).map(async n => { await n.stop() })) })

async function fullNode (): Promise<{ node: Node, meter: TrafficMeter, exporter: PrometheusExporter }> {
  const meter = trafficMeter()
  const reputation = new ViolationLog()
  const node = await makeNode({
    probe: probe({ reputation, intervalMs: 50 }),
    capacity: capacity({ reputation, dataDir, intervalMs: 200 })
  }, { metrics: meter.factory }) as unknown as Node
  started.push(node)
  const exporter = new PrometheusExporter({
    registry: meter.registry,
    traffic: meter,
    rtt: id => node.services.probe.rtt(id),
    localCapacity: () => node.services.capacity.local(),
    connectedPeers: () => node.getPeers().map(String)
  })
  return { node, meter, exporter }
}

/** name{labels} value, per the text exposition format; returns the samples, throws on any other line. */
function parse (text: string): Array<{ name: string, labels: Record<string, string>, value: number }> {
  const out = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m == null) throw new Error(`not an exposition line: ${line}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2]
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3])
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value in: ${line}`)
    out.push({ name: m[1], labels, value })
  }
  return out
}

describe('prometheus', () => {
  it('exposes real traffic, RTT, peer and capacity figures in valid text format', async () => {
    const { node: a, meter, exporter } = await fullNode()
    const { node: b } = await fullNode()
    const B = b.peerId.toString()
    meter.sample(performance.now())
    await a.dial(b.getMultiaddrs()[0])
    await waitFor(() => (a.services.probe.rtt(B)?.samples ?? 0) >= 3 && a.services.capacity.local() != null, 5000, 'measurements')
    meter.sample(performance.now())

    const samples = parse(await exporter.text())
    const one = (name: string, labels: Record<string, string> = {}): number => {
      const hits = samples.filter(s => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      expect(hits, name).toHaveLength(1)
      return hits[0].value
    }
    expect(one('wgt_sent_bytes_total')).toBe(meter.totals().outTotal)
    expect(one('wgt_received_bytes_total')).toBe(meter.totals().inTotal)
    expect(one('wgt_sent_bytes_total')).toBeGreaterThan(0)
    expect(one('wgt_send_rate_bytes_per_second')).toBeGreaterThan(0)
    expect(one('wgt_connected_peers')).toBe(1)
    expect(one('wgt_peer_sent_bytes_total', { peer: B })).toBe(meter.traffic(B).outTotal)
    const rtt = a.services.probe.rtt(B)!
    const p50 = one('wgt_peer_rtt_p50_seconds', { peer: B })
    expect(p50).toBeGreaterThan(0)
    expect(p50).toBeLessThan(0.05)
    expect(one('wgt_peer_probe_loss_ratio', { peer: B })).toBe(rtt.loss)
    expect(one('wgt_peer_rtt_jitter_seconds', { peer: B })).toBeGreaterThanOrEqual(0)
    expect(one('wgt_peer_rtt_p95_seconds', { peer: B })).toBeGreaterThanOrEqual(p50)
    expect(one('wgt_capacity_cores')).toBe(cpus().length)
    expect(one('wgt_capacity_memory_total_bytes')).toBe(a.services.capacity.local()!.memTotal)
    // libp2p's own metrics share the registry
    expect(samples.some(s => s.name.startsWith('libp2p_'))).toBe(true)

    // a peer that goes away leaves the per-peer series
    await a.hangUp(b.peerId)
    await waitFor(() => a.getPeers().length === 0, 5000, 'disconnect')
    const after = parse(await exporter.text())
    expect(after.filter(s => s.labels.peer === B)).toEqual([])
    expect(after.find(s => s.name === 'wgt_connected_peers')?.value).toBe(0)
  })
})
