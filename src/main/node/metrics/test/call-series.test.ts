/** The call series in Prometheus and in the metrics history: what the renderer reported, in Prometheus units, gone when the call is. */
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import type { CallFigures, CallQuality } from '../../../../shared/api/index.js'
import { PrometheusExporter } from '../prometheus.js'
import { Telemetry } from '../telemetry.js'

const PEER = '12D3KooWAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const ID = 'ab'.repeat(16)
const QUALITY: CallQuality = { at: 1, path: 'libp2p', rttMs: 40, sendKbps: 800, recvKbps: 1200, fps: 30, width: 640, height: 480, lossPct: 2, jitterMs: 5 }
const zero = { inBps: 0, outBps: 0, inTotal: 0, outTotal: 0 }

describe('call figures', () => {
  it('are Prometheus gauges per call, labelled with call, peer and path, and go when the call does', async () => {
    let calls: CallFigures[] = [{ callId: ID, peerId: PEER, quality: QUALITY }]
    const exporter = new PrometheusExporter({
      registry: new Registry(),
      traffic: { totals: () => zero, traffic: () => zero },
      rtt: () => null,
      localCapacity: () => null,
      connectedPeers: () => [],
      calls: () => calls
    })
    const text = await exporter.text()
    const labels = `{call="${ID}",peer="${PEER}",path="libp2p"}`
    expect(text).toContain(`wgt_call_rtt_seconds${labels} 0.04`)
    expect(text).toContain(`wgt_call_receive_rate_bytes_per_second${labels} 150000`)
    expect(text).toContain(`wgt_call_send_rate_bytes_per_second${labels} 100000`)
    expect(text).toContain(`wgt_call_frames_per_second${labels} 30`)
    expect(text).toContain(`wgt_call_loss_ratio${labels} 0.02`)
    expect(text).toContain(`wgt_call_jitter_seconds${labels} 0.005`)
    calls = [{ callId: ID, peerId: PEER, quality: { ...QUALITY, rttMs: null, fps: null } }]
    const audioOnly = await exporter.text()
    expect(audioOnly).not.toContain('wgt_call_rtt_seconds{')
    expect(audioOnly).not.toContain('wgt_call_frames_per_second{')
    calls = []
    expect(await exporter.text()).not.toContain(ID)
  })

  it('are kept in the metrics history while a call reports them', () => {
    let calls: CallFigures[] = []
    const telemetry = new Telemetry({
      libp2p: {} as never,
      directory: { connectedIds: () => [], refreshConnected: async () => {} } as never,
      meter: { sample: () => {}, traffic: () => zero, totals: () => zero },
      probe: { rtt: () => null },
      capacity: { local: () => null },
      calls: () => calls,
      intervalMs: 1000
    })
    telemetry.tick(1000)
    calls = [{ callId: ID, peerId: PEER, quality: QUALITY }]
    telemetry.tick(2000)
    const samples = telemetry.history().samples
    expect(samples[0].calls).toBeUndefined()
    expect(samples[1].calls).toEqual([{ callId: ID, peerId: PEER, quality: QUALITY }])
  })
})
