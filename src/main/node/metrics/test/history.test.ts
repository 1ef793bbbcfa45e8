import { describe, expect, it } from 'vitest'
import { RingBuffer } from '../history.js'
import { percentile, RttWindow } from '../rtt-window.js'

describe('RingBuffer', () => {
  it('keeps insertion order until full, then overwrites the oldest', () => {
    const r = new RingBuffer<number>(3)
    expect(r.toArray()).toEqual([])
    expect(r.last()).toBeUndefined()
    r.push(1); r.push(2)
    expect(r.toArray()).toEqual([1, 2])
    r.push(3); r.push(4); r.push(5)
    expect(r.toArray()).toEqual([3, 4, 5])
    expect(r.size).toBe(3)
    expect(r.last()).toBe(5)
    for (let i = 6; i <= 100; i++) r.push(i)
    expect(r.toArray()).toEqual([98, 99, 100])
    r.clear()
    expect(r.toArray()).toEqual([])
    r.push(7)
    expect(r.toArray()).toEqual([7])
  })

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(/capacity/)
    expect(() => new RingBuffer(2.5)).toThrow(/capacity/)
  })
})

describe('RttWindow', () => {
  it('computes percentiles, jitter and loss over the last N probes', () => {
    const w = new RttWindow(5)
    expect(w.stats()).toBeNull()
    w.record(null)
    expect(w.stats()).toBeNull()
    for (const r of [1, 3, 2, null]) w.record(r)
    // window: null 1 3 2 null
    expect(w.stats()).toEqual({ p50: 2, p95: 2.9, mean: 2, min: 1, max: 3, jitter: 1.5, loss: 0.4, samples: 3, sent: 5, last: 2 })
    for (const r of [10, 10, 10, 10, 10]) w.record(r)
    expect(w.stats()).toMatchObject({ p50: 10, jitter: 0, loss: 0, sent: 5 })
  })

  it('interpolates percentiles between ranks', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(percentile([5], 0.95)).toBe(5)
  })
})
