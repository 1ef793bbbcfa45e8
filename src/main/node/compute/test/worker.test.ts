/**
 * The worker's parts apart from the network: settings and contribution kept
 * across restarts (and a stored value of the wrong shape ignored), the
 * per-minute history, the other programs' CPU load, the module cache's
 * bound, and slots that own tasks wait for.
 */
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { describe, expect, it } from 'vitest'
import { EventHub } from '../../../../shared/rpc.js'
import type { ContributedTask } from '../../../../shared/api/index.js'
import { Contribution, MAX_RECENT } from '../contribution.js'
import { otherLoad } from '../idle.js'
import { ModuleCache } from '../module-cache.js'
import { Slots } from '../slots.js'
import { ComputeStore, defaultSettings, HISTORY_MINUTES } from '../store.js'
import { boundResult, MAX_VERDICT_MESSAGE_BYTES } from '../wire.js'

const MINUTE = 60_000

describe('compute settings', () => {
  it('defaults to contributing on all cores but one, and keeps a change across a restart', async () => {
    expect(defaultSettings(1).maxTasks).toBe(1)
    expect(defaultSettings(8)).toEqual({ enabled: true, maxTasks: 7, memoryMb: 512, timeoutS: 300, idleOnly: false, idleLoadPercent: 25 })
    const ds = new MemoryDatastore()
    const store = new ComputeStore(ds, defaultSettings(4))
    await store.load()
    await store.updateSettings({ maxTasks: 2, idleOnly: true, memoryMb: undefined })
    const again = new ComputeStore(ds, defaultSettings(4))
    await again.load()
    expect(again.getSettings()).toEqual({ ...defaultSettings(4), maxTasks: 2, idleOnly: true })
  })

  it('ignores stored values of the wrong shape, field by field', async () => {
    const ds = new MemoryDatastore()
    await ds.put(new Key('/wgt/compute/settings'), new TextEncoder().encode(JSON.stringify({ enabled: 'yes', maxTasks: 1e9, memoryMb: 64, timeoutS: -1, idleLoadPercent: 2.5 })))
    await ds.put(new Key('/wgt/compute/contribution'), new TextEncoder().encode('{not json'))
    const store = new ComputeStore(ds, defaultSettings(4))
    await store.load()
    expect(store.getSettings()).toEqual({ ...defaultSettings(4), memoryMb: 64 })
    expect(store.getRecord()).toEqual({ totals: { tasks: 0, failed: 0, cpuMs: 0, inputBytes: 0, outputBytes: 0 }, history: [] })
  })
})

describe('contribution', () => {
  it('counts tasks for others (not own ones) into totals and minutes, keeps them across a restart, and lists the last ended', async () => {
    const ds = new MemoryDatastore()
    const store = new ComputeStore(ds)
    await store.load()
    let now = 10 * HISTORY_MINUTES * MINUTE
    const events = new EventHub()
    const seen: ContributedTask[] = []
    events.on('compute:task', t => { seen.push(t) })
    const c = new Contribution({ store, events, now: () => now, throttleMs: 1000, saveEveryMs: 60_000 })
    const t = c.begin('peerA', 'wasm', 100, false)
    expect(c.snapshot(null).running.map(r => r.id)).toEqual([t.id])
    t.progress(5)
    now += 2000
    t.progress(9)
    t.progress(10)
    t.end({ cpuMs: 12, outputBytes: 40, error: null })
    // start, one progress past the throttle, end
    expect(seen.map(s => [s.state, s.cpuMs])).toEqual([['running', 0], ['running', 9], ['done', 12]])
    c.begin('self', 'matmul', 100, true).end({ cpuMs: 50, outputBytes: 1, error: null })
    now += 3 * MINUTE
    c.begin('peerB', 'matmul', 8, false).end({ cpuMs: 3, outputBytes: 0, error: 'trap: unreachable' })
    const snap = c.snapshot(null)
    expect(snap.totals).toEqual({ tasks: 2, failed: 1, cpuMs: 15, inputBytes: 108, outputBytes: 40 })
    expect(snap.history.map(h => [h.tasks, h.cpuMs])).toEqual([[1, 12], [1, 3]])
    expect(snap.recent.map(r => r.requester)).toEqual(['peerB', 'self', 'peerA'])
    await c.stop()
    const again = new ComputeStore(ds)
    await again.load()
    expect(again.getRecord().totals).toEqual(snap.totals)
    // past 24 h, a minute is gone from the history but not from the totals
    now += HISTORY_MINUTES * MINUTE
    const c2 = new Contribution({ store: again, events, now: () => now })
    expect(c2.snapshot(null).history).toEqual([])
    expect(c2.snapshot(null).totals.tasks).toBe(2)
    for (let i = 0; i < MAX_RECENT + 5; i++) c2.begin('p', 'matmul', 1, true).end({ cpuMs: 0, outputBytes: 0, error: null })
    expect(c2.snapshot(null).recent.length).toBe(MAX_RECENT)
    await c2.stop()
  })
})

describe('the rest of the computer\'s load', () => {
  it('is all cores\' busy time minus this process\'s own', () => {
    const a = { busyMs: 1000, totalMs: 10_000, ownMs: 200 }
    expect(otherLoad(a, { busyMs: 3000, totalMs: 14_000, ownMs: 1200 })).toBe(25)
    // our own tasks alone do not make the computer busy
    expect(otherLoad(a, { busyMs: 3000, totalMs: 14_000, ownMs: 2200 })).toBe(0)
    expect(otherLoad(a, a)).toBeNull()
  })
})

describe('module cache', () => {
  it('holds modules up to its bound, least recently used out first', () => {
    const cache = new ModuleCache(250)
    cache.put('a', new Uint8Array(100))
    cache.put('b', new Uint8Array(100))
    expect(cache.get('a')).not.toBeNull()
    cache.put('c', new Uint8Array(100))
    expect([cache.get('a') != null, cache.get('b') != null, cache.get('c') != null]).toEqual([true, false, true])
    cache.put('huge', new Uint8Array(300))
    expect(cache.get('huge')).toBeNull()
    expect(cache.heldBytes).toBe(200)
  })
})

describe('slots', () => {
  it('refuses a peer when full, lets an own task wait, and follows a resize', async () => {
    const slots = new Slots(1)
    const first = slots.tryTake()
    expect(first).not.toBeNull()
    expect(slots.tryTake()).toBeNull()
    let got = false
    const waiting = slots.take().then(r => { got = true; return r })
    await new Promise(resolve => setImmediate(resolve))
    expect(got).toBe(false)
    // a waiting own task is served before a newcomer
    first?.()
    first?.()
    const release = await waiting
    expect(slots.inUse).toBe(1)
    expect(slots.tryTake()).toBeNull()
    slots.resize(2)
    expect(slots.tryTake()).not.toBeNull()
    expect(slots.inUse).toBe(2)
    const aborted = new AbortController()
    const w = slots.take(aborted.signal)
    aborted.abort(new Error('no'))
    await expect(w).rejects.toThrow('no')
    release()
    expect(slots.inUse).toBe(1)
  })
})

describe('verdict messages', () => {
  it('are bounded in bytes, cut whole characters', () => {
    const r = boundResult({ ok: false, verdict: 'trap', message: 'é'.repeat(3000) })
    expect(r.ok).toBe(false)
    const message = (r as { message: string }).message
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_VERDICT_MESSAGE_BYTES)
    expect(message).not.toContain('\uFFFD')
    const short = { ok: false as const, verdict: 'trap' as const, message: 'x' }
    expect(boundResult(short)).toBe(short)
  })
})
