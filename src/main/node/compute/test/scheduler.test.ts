import { describe, expect, it } from 'vitest'
import type { Candidate } from '../../net/selection.js'
import { freeCores, MAX_PER_WORKER, REFUSAL_COOL_OFF_MS, Scheduler } from '../scheduler.js'

const peer = (peerId: string, cores: number | null, cpuLoad: number | null, rttMs = 1): Candidate => ({ peerId, cores, cpuLoad, rttMs, diskFree: 0 })

function scheduler (peers: () => Candidate[], opts: { records?: Record<string, number>, now?: () => number, self?: { cores: number, cpuLoad: number } | null } = {}): Scheduler {
  return new Scheduler({
    selfId: 'self',
    candidates: async () => peers(),
    selfCapacity: () => opts.self === undefined ? { cores: 2, cpuLoad: 50 } : opts.self,
    record: id => opts.records?.[id] ?? 0,
    now: opts.now
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

  it('prefers a proven worker, then the lower RTT, at equal free cores', async () => {
    const s = scheduler(() => [peer('a', 2, 0, 5), peer('b', 2, 0, 1), peer('c', 2, 0, 9)], { records: { c: 50 }, self: { cores: 1, cpuLoad: 0 } })
    expect((await s.pick(new Set(), new Map()))?.peerId).toBe('c')
    expect((await s.pick(new Set(['c']), new Map()))?.peerId).toBe('b')
  })

  it('free cores: unknown figures count as one, a busy machine ranks last but is not dropped', () => {
    expect(freeCores(null, null)).toBe(1)
    expect(freeCores(4, 25)).toBe(3)
    expect(freeCores(4, 100)).toBeGreaterThan(0)
    expect(freeCores(4, Number.NaN)).toBe(4)
  })
})
