import { describe, expect, it } from 'vitest'
import type { Candidate } from '../../net/selection.js'
import { freeCores, MAX_CLAIMED_CORES, MAX_PER_WORKER, REFUSAL_COOL_OFF_MS, Scheduler } from '../scheduler.js'

const peer = (peerId: string, cores: number | null, cpuLoad: number | null, rttMs = 1): Candidate => ({ peerId, cores, cpuLoad, rttMs, diskFree: 0 })

function scheduler (peers: () => Candidate[], opts: { records?: Record<string, number>, now?: () => number, self?: { cores: number, cpuLoad: number } | null, random?: () => number } = {}): Scheduler {
  return new Scheduler({
    selfId: 'self',
    candidates: async () => peers(),
    selfCapacity: () => opts.self === undefined ? { cores: 2, cpuLoad: 50 } : opts.self,
    record: id => opts.records?.[id] ?? 0,
    now: opts.now,
    random: opts.random ?? (() => 0)
  })
}

describe('Scheduler', () => {
  it('ranks by free cores, and reads the candidates at each pick (no list captured)', async () => {
    let peers = [peer('a', 8, 50), peer('b', 2, 0)]
    const s = scheduler(() => peers)
    expect(await s.pick(new Set(), new Map())).toEqual({ peerId: 'a', self: false })
    peers = [peer('b', 2, 0), peer('c', 16, 0)]
    expect(await s.pick(new Set(), new Map())).toEqual({ peerId: 'c', self: false })
  })

  it('spreads a job: in-flight tasks lower a worker, and MAX_PER_WORKER is the most', async () => {
    const s = scheduler(() => [peer('a', 4, 0), peer('b', 3, 0)], { self: { cores: 1, cpuLoad: 0 } })
    expect((await s.pick(new Set(), new Map([['a', 1]])))?.peerId).toBe('b')
    const full = new Map([['a', MAX_PER_WORKER], ['b', MAX_PER_WORKER]])
    expect(await s.pick(new Set(), full)).toEqual({ peerId: 'self', self: true })
    full.set('self', MAX_PER_WORKER)
    expect(await s.pick(new Set(), full)).toBeNull()
  })

  it('skips workers that already ran the task', async () => {
    const s = scheduler(() => [peer('a', 4, 0)])
    expect((await s.pick(new Set(['a']), new Map()))?.peerId).toBe('self')
    expect(await s.pick(new Set(['a', 'self']), new Map())).toBeNull()
  })

  it('leaves a worker that refused alone for the cool-off', async () => {
    let t = 0
    const s = scheduler(() => [peer('a', 4, 0)], { now: () => t })
    s.refused('a')
    expect((await s.pick(new Set(), new Map()))?.peerId).toBe('self')
    t += REFUSAL_COOL_OFF_MS + 1
    expect((await s.pick(new Set(), new Map()))?.peerId).toBe('a')
  })

  it('a worker full with n of our tasks gets at most n for the cool-off; full with none is a refusal', async () => {
    let t = 0
    const s = scheduler(() => [peer('a', 8, 0)], { now: () => t, self: { cores: 1, cpuLoad: 100 } })
    s.full('a', 1)
    expect((await s.pick(new Set(), new Map()))?.peerId).toBe('a')
    expect((await s.pick(new Set(), new Map([['a', 1]])))?.peerId).toBe('self')
    t += REFUSAL_COOL_OFF_MS + 1
    expect((await s.pick(new Set(), new Map([['a', 1]])))?.peerId).toBe('a')
    s.full('a', 0)
    expect((await s.pick(new Set(), new Map()))?.peerId).toBe('self')
  })

  it('this node takes what its worker\'s slots allow, at least one', async () => {
    let free = 1
    const s = new Scheduler({ selfId: 'self', candidates: async () => [], selfCapacity: () => null, record: () => 0, selfFreeSlots: () => free })
    expect((await s.pick(new Set(), new Map()))?.peerId).toBe('self')
    free = 0
    expect(await s.pick(new Set(), new Map([['self', 1]]))).toBeNull()
    expect((await s.pick(new Set(), new Map()))?.peerId).toBe('self')
  })

  it('prefers a proven worker, then the lower RTT, at equal free cores', async () => {
    const s = scheduler(() => [peer('a', 2, 0, 5), peer('b', 2, 0, 1), peer('c', 2, 0, 9)], { records: { c: 50 }, self: { cores: 1, cpuLoad: 0 } })
    expect((await s.pick(new Set(), new Map()))?.peerId).toBe('c')
    expect((await s.pick(new Set(['c']), new Map()))?.peerId).toBe('b')
  })

  it('a peer claiming 4096 idle cores counts for MAX_CLAIMED_CORES and does not get every pick (H1)', async () => {
    let seed = 1
    const random = (): number => { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
    const s = scheduler(() => [peer('sybil', 4096, 0), peer('h1', 256, 0), peer('h2', 256, 0)], { random, self: { cores: 256, cpuLoad: 0 } })
    expect(freeCores(4096, 0)).toBe(MAX_CLAIMED_CORES)
    const got = new Map<string, number>()
    for (let i = 0; i < 400; i++) {
      const p = await s.pick(new Set(), new Map())
      got.set(p?.peerId ?? '', (got.get(p?.peerId ?? '') ?? 0) + 1)
    }
    expect(got.get('sybil') ?? 0).toBeLessThan(200)
    expect(got.get('h1') ?? 0).toBeGreaterThan(40)
    expect(got.get('self') ?? 0).toBeGreaterThan(40)
  })

  it('trusted picks are this node or proven workers; selfOnly is this node; failed() cools a worker off', async () => {
    const s = scheduler(() => [peer('new', 64, 0), peer('proven', 1, 0)], { records: { proven: 10 } })
    expect((await s.pick(new Set(), new Map(), { trusted: true }))?.peerId).toBe('self')
    expect((await s.pick(new Set(['self']), new Map(), { trusted: true }))?.peerId).toBe('proven')
    expect(await s.pick(new Set(['self', 'proven']), new Map(), { trusted: true })).toBeNull()
    expect((await s.pick(new Set(), new Map(), { selfOnly: true }))?.peerId).toBe('self')
    expect(s.trusted('proven') && s.trusted('self') && !s.trusted('new')).toBe(true)
    s.failed('new')
    expect((await s.pick(new Set(['self', 'proven']), new Map()))).toBeNull()
  })

  it('free cores: unknown figures count as one, a busy machine ranks last but is not dropped', () => {
    expect(freeCores(null, null)).toBe(1)
    expect(freeCores(4, 25)).toBe(3)
    expect(freeCores(4, 100)).toBeGreaterThan(0)
    expect(freeCores(4, Number.NaN)).toBe(4)
  })
})
