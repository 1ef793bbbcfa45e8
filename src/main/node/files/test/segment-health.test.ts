import { describe, expect, it } from 'vitest'
import { segmentHealth } from '../health.js'
import type { PlacedSegment } from '../tables.js'

const seg = (shards: string[], holders: string[][]): PlacedSegment =>
  ({ index: 3, plainSize: 1, compressed: false, cipherSize: 1, shardSize: 1, shards, holders })

describe('a segment\'s health from a census', () => {
  const params = { k: 2, m: 1, segmentSize: 1 } as never

  it('names as lost, per shard, a placement holder that did not prove the shard placed on it, even if it proved another', () => {
    // p holds s0 and s1 by the placement but proved only s0; q proved s2; r proved nothing
    const placed = seg(['s0', 's1', 's2'], [['p'], ['p', 'r'], ['q']])
    const confirmed = new Map([['s0', new Set(['p'])], ['s2', new Set(['q'])]])
    const h = segmentHealth(placed, params, confirmed)
    expect(h).toMatchObject({ index: 3, k: 2, total: 3, reachable: 2 })
    expect(new Set(h.holders)).toEqual(new Set(['p', 'q']))
    expect(new Set(h.lost)).toEqual(new Set(['p', 'r']))
  })

  it('names nobody lost when every placed shard was proved by its holder, and counts provers the placement did not name', () => {
    const placed = seg(['s0', 's1', 's2'], [['p'], ['q'], []])
    const confirmed = new Map([['s0', new Set(['p'])], ['s1', new Set(['q'])], ['s2', new Set(['x'])]])
    const h = segmentHealth(placed, params, confirmed)
    expect(h.reachable).toBe(3)
    expect(h.lost).toEqual([])
    expect(new Set(h.holders)).toEqual(new Set(['p', 'q', 'x']))
  })
})
