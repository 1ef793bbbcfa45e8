/** The metrics tick: history always, the connected peers re-emitted only while someone watches. */
import { describe, expect, it } from 'vitest'
import { EventHub } from '../../../../shared/rpc.js'
import { watched } from '../module.js'
import { Telemetry } from '../telemetry.js'

const zero = { inBps: 0, outBps: 0, inTotal: 0, outTotal: 0 }

describe('telemetry', () => {
  it('records a history point each tick, and has the directory re-emit peers only while someone watches', () => {
    let watching = false
    let reemits = 0
    const telemetry = new Telemetry({
      libp2p: {} as never,
      directory: { connectedIds: () => ['p'], refreshConnected: async () => { reemits++; return [] } } as never,
      meter: { sample: () => {}, traffic: () => zero, totals: () => zero },
      probe: { rtt: () => null },
      capacity: { local: () => null },
      watched: () => watching,
      intervalMs: 1000
    })
    telemetry.tick(1000)
    telemetry.tick(2000)
    expect(reemits).toBe(0)
    watching = true
    telemetry.tick(3000)
    expect(reemits).toBe(1)
    expect(telemetry.history().samples.map(s => s.t)).toEqual([1000, 2000, 3000])
  })

  it('counts an API client as watching while it listens to the metrics tick, not to peer updates alone (the tray)', () => {
    const events = new EventHub()
    expect(watched(events)).toBe(false)
    const offChat = events.on('chat:message', () => {})
    expect(watched(events)).toBe(false)
    const off = events.on('peer:update', () => {})
    expect(watched(events)).toBe(false)
    off()
    expect(watched(events)).toBe(false)
    const offSample = events.on('metrics:sample', () => {})
    expect(watched(events)).toBe(true)
    offSample()
    offChat()
    expect(watched(events)).toBe(false)
  })
})
