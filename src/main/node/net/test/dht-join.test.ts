import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { AbortOptions, Topology } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'
import { describe, expect, it, vi } from 'vitest'
import { DhtJoin, type SelfLookupDht } from '../dht-join.js'

/** A DHT whose lookups stay open until released, so overlapping triggers can be observed. */
function fakeDht (k = 20) {
  const state = { size: 0, running: 0, maxRunning: 0, keys: [] as Uint8Array[], release: [] as Array<() => void>, aborted: 0, events: [{ name: 'FINAL_PEER' }] }
  const dht: SelfLookupDht = {
    k,
    routingTable: { get size () { return state.size } },
    getClosestPeers: async function * (key: Uint8Array, options?: AbortOptions) {
      state.keys.push(key)
      state.running++
      state.maxRunning = Math.max(state.maxRunning, state.running)
      try {
        await new Promise<void>((resolve, reject) => {
          state.release.push(resolve)
          options?.signal?.addEventListener('abort', () => { state.aborted++; reject(options.signal?.reason) })
        })
        yield * state.events
      } finally {
        state.running--
      }
    }
  }
  return { dht, state }
}

function fakeRegistrar () {
  const topologies = new Map<string, Topology>()
  let next = 0
  const registrar = {
    register: async (_protocol: string, topology: Topology) => { const id = String(next++); topologies.set(id, topology); return id },
    unregister: (id: string) => { topologies.delete(id) }
  } as unknown as Registrar
  return {
    registrar,
    topologies,
    connect: () => { for (const t of topologies.values()) void t.onConnect?.(undefined as never, undefined as never) },
    disconnect: () => { for (const t of topologies.values()) void t.onDisconnect?.(undefined as never) }
  }
}

const tick = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, 0)) }

async function setup (k?: number, init: { retryMinMs?: number, retryMaxMs?: number } = {}) {
  const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const { dht, state } = fakeDht(k)
  const reg = fakeRegistrar()
  const join = new DhtJoin({ registrar: reg.registrar, peerId, logger: defaultLogger(), dht }, { protocol: '/wgt/kad/1.0.0', ...init })
  await join.start()
  return { join, state, reg, peerId }
}

describe('DhtJoin', () => {
  it('looks up its own key when a DHT peer connects', async () => {
    const { join, state, reg, peerId } = await setup()
    reg.connect()
    await tick()
    expect(state.keys).toHaveLength(1)
    expect(state.keys[0]).toEqual(peerId.toMultihash().bytes)
    state.release.shift()?.()
    await join.stop()
  })

  it('runs one lookup at a time and folds the peers that arrive meanwhile into one more', async () => {
    const { join, state, reg } = await setup()
    reg.connect()
    await tick()
    for (let i = 0; i < 5; i++) reg.connect()
    await tick()
    expect(state.keys).toHaveLength(1)
    state.release.shift()?.()
    await tick()
    expect(state.keys).toHaveLength(2)
    state.release.shift()?.()
    await tick()
    expect(state.keys).toHaveLength(2)
    expect(state.maxRunning).toBe(1)
    expect(join.lookups).toBe(2)
    await join.stop()
  })

  it('leaves it to kad-dht once the routing table holds k peers', async () => {
    const { join, state, reg } = await setup(4)
    state.size = 4
    reg.connect()
    await tick()
    expect(state.keys).toHaveLength(0)
    await join.stop()
  })

  it('stop() unregisters, aborts the running lookup and drops the queued one', async () => {
    const { join, state, reg } = await setup()
    reg.connect()
    await tick()
    reg.connect()
    await join.stop()
    expect(reg.topologies.size).toBe(0)
    expect(state.aborted).toBe(1)
    expect(state.running).toBe(0)
    expect(state.keys).toHaveLength(1)
    join.lookAgain()
    await tick()
    expect(state.keys).toHaveLength(1)
  })

  it('looks again when a DHT peer leaves: the lookup redials it if it is still there', async () => {
    const { join, state, reg } = await setup()
    reg.disconnect()
    await tick()
    expect(state.keys).toHaveLength(1)
    state.release.shift()?.()
    await join.stop()
  })

  it('retries a lookup in which a peer did not answer, waiting twice as long each time, until one is answered by all', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { join, state, reg } = await setup(20, { retryMinMs: 1000, retryMaxMs: 3000 })
      const lookups = async (): Promise<number> => { await vi.advanceTimersByTimeAsync(0); return state.keys.length }
      state.events = [{ name: 'QUERY_ERROR' }, { name: 'FINAL_PEER' }]
      reg.connect()
      await vi.advanceTimersByTimeAsync(0); state.release.shift()?.()
      expect(await lookups()).toBe(1)
      await vi.advanceTimersByTimeAsync(999)
      expect(await lookups()).toBe(1)
      await vi.advanceTimersByTimeAsync(1)
      expect(await lookups()).toBe(2)
      state.release.shift()?.()
      await vi.advanceTimersByTimeAsync(1999)
      expect(await lookups()).toBe(2)
      await vi.advanceTimersByTimeAsync(1)
      expect(await lookups()).toBe(3)
      state.release.shift()?.()
      // capped at retryMaxMs
      await vi.advanceTimersByTimeAsync(3000)
      expect(await lookups()).toBe(4)
      // everyone answers: no more retries
      state.events = [{ name: 'FINAL_PEER' }]
      state.release.shift()?.()
      await vi.advanceTimersByTimeAsync(10_000)
      expect(await lookups()).toBe(4)
      await join.stop()
    } finally {
      vi.useRealTimers()
    }
  })

  it('stop() cancels a pending retry', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const { join, state, reg } = await setup(20, { retryMinMs: 1000 })
      state.events = [{ name: 'QUERY_ERROR' }]
      reg.connect()
      await vi.advanceTimersByTimeAsync(0); state.release.shift()?.()
      await vi.advanceTimersByTimeAsync(0)
      await join.stop()
      await vi.advanceTimersByTimeAsync(5000)
      expect(state.keys).toHaveLength(1)
    } finally {
      vi.useRealTimers()
    }
  })
})
