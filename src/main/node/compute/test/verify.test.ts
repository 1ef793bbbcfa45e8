import { describe, expect, it } from 'vitest'
import { isProven, nextRecord, PROVEN_AFTER, TaskQuorum } from '../verify.js'

describe('TaskQuorum', () => {
  it('accepts a majority of r distinct workers and names the outvoted', () => {
    const q = TaskQuorum.forRedundancy(3)
    expect(q.decide(0)).toEqual({ state: 'pending', runs: 3 })
    q.add({ worker: 'a', sha256: 'x' })
    q.add({ worker: 'b', sha256: 'y' })
    expect(q.decide(1)).toEqual({ state: 'pending', runs: 0 })
    q.add({ worker: 'c', sha256: 'x' })
    expect(q.decide(0)).toEqual({ state: 'accepted', sha256: 'x', agreed: ['a', 'c'], outvoted: ['b'] })
  })

  it('asks one more run after a disagreement with no majority, until one forms', () => {
    const q = TaskQuorum.forRedundancy(2)
    q.add({ worker: 'a', sha256: 'x' })
    q.add({ worker: 'b', sha256: 'y' })
    expect(q.disagreed).toBe(true)
    expect(q.decide(0)).toEqual({ state: 'pending', runs: 1 })
    q.add({ worker: 'c', sha256: 'z' })
    expect(q.decide(0)).toEqual({ state: 'pending', runs: 1 })
    q.add({ worker: 'd', sha256: 'y' })
    expect(q.decide(0)).toMatchObject({ state: 'accepted', sha256: 'y', agreed: ['b', 'd'], outvoted: ['a', 'c'] })
  })

  it('adaptive: a proven worker alone is accepted at once; a new one or a spot check needs two agreeing', () => {
    const alone = TaskQuorum.adaptive(true, false)
    alone.add({ worker: 'p', sha256: 'x' })
    expect(alone.decide(0)).toMatchObject({ state: 'accepted', sha256: 'x' })
    for (const q of [TaskQuorum.adaptive(false, false), TaskQuorum.adaptive(true, true)]) {
      expect(q.decide(0)).toEqual({ state: 'pending', runs: 2 })
      q.add({ worker: 'n', sha256: 'x' })
      expect(q.decide(1)).toEqual({ state: 'pending', runs: 0 })
      q.add({ worker: 'm', sha256: 'x' })
      expect(q.decide(0)).toMatchObject({ state: 'accepted', agreed: ['n', 'm'], outvoted: [] })
    }
  })

  it('a rejected vote is not counted and is replaced by a new run', () => {
    const q = TaskQuorum.adaptive(true, false)
    q.reject('liar')
    expect(q.workers).toEqual(['liar'])
    expect(q.decide(0)).toEqual({ state: 'pending', runs: 1 })
    q.add({ worker: 'honest', sha256: 'x' })
    expect(q.decide(0)).toMatchObject({ state: 'accepted', agreed: ['honest'] })
  })

  it('never counts the same worker twice', () => {
    const q = TaskQuorum.forRedundancy(3)
    q.add({ worker: 'a', sha256: 'x' })
    expect(() => { q.add({ worker: 'a', sha256: 'x' }) }).toThrow(RangeError)
    expect(() => { q.reject('a') }).toThrow(RangeError)
  })
})

describe('records', () => {
  it('count consecutive valid results and reset on an invalid one', () => {
    let r = 0
    for (let i = 0; i < PROVEN_AFTER; i++) r = nextRecord(r, 'valid')
    expect(isProven(r)).toBe(true)
    expect(nextRecord(r, 'invalid')).toBe(0)
    expect(isProven(PROVEN_AFTER - 1)).toBe(false)
  })
})

describe('TaskQuorum trust (H1)', () => {
  it('two unproven votes agreeing are not enough; a trusted agreeing vote accepts', () => {
    const q = TaskQuorum.adaptive(false, false)
    q.requireTrusted = true
    q.add({ worker: 's1', sha256: 'forged' })
    q.add({ worker: 's2', sha256: 'forged' })
    expect(q.trustedVoted).toBe(false)
    expect(q.decide(0)).toEqual({ state: 'pending', runs: 1 })
    q.add({ worker: 'p', sha256: 'right', trusted: true })
    q.add({ worker: 'h', sha256: 'right' })
    expect(q.decide(0)).toMatchObject({ state: 'accepted', sha256: 'right', agreed: ['p', 'h'], outvoted: ['s1', 's2'] })
  })

  it('the decisive vote (this node, adaptive) decides alone', () => {
    const q = TaskQuorum.adaptive(false, false)
    q.requireTrusted = true
    q.decisive = 'self'
    q.add({ worker: 's1', sha256: 'forged' })
    expect(q.decide(1)).toEqual({ state: 'pending', runs: 0 })
    q.add({ worker: 'self', sha256: 'right', trusted: true })
    // s2 still running: the decisive vote waits for it
    expect(q.decide(1)).toEqual({ state: 'pending', runs: 0 })
    expect(q.decide(0)).toEqual({ state: 'accepted', sha256: 'right', agreed: ['self'], outvoted: ['s1'] })
  })
})
