import { randomFillSync } from 'node:crypto'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { DEFAULT_PARAMS, MIN_SEGMENT_SIZE, encode, newFileId, newFileKey, rebuildShards, verifyShard, type CesParams } from '../index.js'
import { chunked, encodeToMemory, equalBytes, randomBytesSeeded } from './helpers.js'

const MiB = 1024 * 1024

function exposeGc (): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

describe('streaming encode', () => {
  it('encodes 256 MiB with memory bounded by a few segments, not by the file size', async () => {
    const total = 256 * MiB
    const chunk = new Uint8Array(MiB)
    async function * source (): AsyncGenerator<Uint8Array> {
      for (let sent = 0; sent < total; sent += chunk.length) {
        randomFillSync(chunk) // the same buffer every time: the source itself holds 1 MiB
        yield chunk
      }
    }
    // Memory is sampled after a full collection, so the figure is what encode
    // keeps alive, not garbage V8 has not collected yet (which depends on the
    // machine's load and made a bound on raw arrayBuffers flaky).
    const gc = exposeGc()
    gc()
    const base = process.memoryUsage().arrayBuffers
    let peakLive = 0
    let shards = 0
    const summary = await encode(source(), { params: DEFAULT_PARAMS, key: newFileKey(), fileId: newFileId(), domain: 'data' }, async s => {
      expect(verifyShard(s.cid, s.bytes)).toBe(true)
      shards++
      if (s.index === 0) {
        gc()
        peakLive = Math.max(peakLive, process.memoryUsage().arrayBuffers - base)
      }
    })
    expect(summary.size).toBe(total)
    expect(summary.segments).toHaveLength(64)
    expect(shards).toBe(64 * 6)
    // live: the stripe being delivered and the next one being hashed on the
    // worker (6 MiB each; this sink never releases, so none is pooled), the
    // segmenter's buffer (4 MiB) and the source's 1 MiB chunk ≈ 17 MiB; an
    // encode that kept segments alive would pass 256 MiB
    expect(peakLive).toBeGreaterThan(6 * MiB)
    expect(peakLive).toBeLessThan(40 * MiB)
  }, 60_000)

  it('reads at most one segment ahead of the sink (backpressure) and delivers shards in order', async () => {
    const params: CesParams = { k: 2, m: 1, segmentSize: MIN_SEGMENT_SIZE }
    let reads = 0
    const sunk: string[] = []
    async function * source (): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 6; i++) { reads++; yield randomBytesSeeded(MIN_SEGMENT_SIZE, i) }
    }
    await encode(source(), { params, key: newFileKey(), fileId: newFileId(), domain: 'data' }, async s => {
      // segment s+1 may be sealed while s is delivered; s+2 is not read yet
      expect(reads).toBeLessThanOrEqual(s.segment + 2)
      await new Promise(resolve => setTimeout(resolve, 2))
      sunk.push(`${s.segment}.${s.index}`)
    })
    expect(sunk).toEqual([0, 1, 2, 3, 4, 5].flatMap(s => [`${s}.0`, `${s}.1`, `${s}.2`]))
  })

  it('a failing sink fails the encode and no shard is delivered after it', async () => {
    let calls = 0
    let settled = false
    const run = encode(chunked(randomBytesSeeded(6 * MIN_SEGMENT_SIZE, 3), 1000), {
      params: { k: 2, m: 1, segmentSize: MIN_SEGMENT_SIZE }, key: newFileKey(), fileId: newFileId(), domain: 'data'
    }, async s => {
      expect(settled).toBe(false)
      calls++
      if (s.segment === 2 && s.index === 1) throw new Error('disk full')
    })
    await expect(run).rejects.toThrow('disk full')
    settled = true
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(calls).toBe(8)
  })

  it('stops on abort with a WgtError and reports progress in bytes read', async () => {
    const ac = new AbortController()
    const progress: number[] = []
    const data = randomBytesSeeded(5 * MIN_SEGMENT_SIZE, 1)
    let sunk = 0
    const run = encode(chunked(data, MIN_SEGMENT_SIZE), {
      params: { k: 2, m: 1, segmentSize: MIN_SEGMENT_SIZE }, key: newFileKey(), fileId: newFileId(), domain: 'data', signal: ac.signal, onProgress: n => progress.push(n)
    }, async s => { sunk++; if (s.segment === 1) ac.abort() })
    await expect(run).rejects.toBeInstanceOf(WgtError)
    expect(sunk).toBe(4) // segment 0's three shards and the first of segment 1
    // segment 2 may have been read (one ahead of the sink), nothing beyond
    expect(progress).toEqual([1, 2, 3].slice(0, progress.length).map(n => n * MIN_SEGMENT_SIZE))
    expect(progress.length).toBeGreaterThanOrEqual(2)
  })

  it('rejects bad parameters and key material with INVALID_INPUT before reading', async () => {
    const bad: Array<[Partial<CesParams>, Uint8Array, Uint8Array]> = [
      [{ k: 0 }, newFileKey(), newFileId()],
      [{ m: -1 }, newFileKey(), newFileId()],
      [{ k: 200, m: 56 }, newFileKey(), newFileId()],
      [{ segmentSize: 17 * MiB }, newFileKey(), newFileId()],
      [{ segmentSize: 100 }, newFileKey(), newFileId()],
      [{}, new Uint8Array(31), newFileId()],
      [{}, newFileKey(), new Uint8Array(8)]
    ]
    for (const [p, key, fileId] of bad) {
      let read = false
      async function * source (): AsyncGenerator<Uint8Array> { read = true; yield new Uint8Array(1) }
      await expect(encode(source(), { params: { ...DEFAULT_PARAMS, ...p }, key, fileId, domain: 'data' }, async () => {}))
        .rejects.toMatchObject({ code: 'INVALID_INPUT' })
      expect(read).toBe(false)
    }
    await expect(encode(chunked(new Uint8Array(1), 1), { params: { k: 1, m: 254, segmentSize: MIN_SEGMENT_SIZE }, key: newFileKey(), fileId: newFileId(), domain: 'data' }, async () => {}))
      .resolves.toMatchObject({ size: 1 })
  })
})

describe('rebuildShards', () => {
  it('re-creates lost data and parity shards from any k, without the key, matching their CIDs', async () => {
    const params: CesParams = { k: 4, m: 3, segmentSize: MIN_SEGMENT_SIZE }
    const enc = await encodeToMemory(randomBytesSeeded(MIN_SEGMENT_SIZE, 5), params, newFileKey(), newFileId())
    const rec = enc.summary.segments[0]
    const have = enc.shards[0].map((s, i) => [0, 3, 5].includes(i) ? null : s)
    const out = rebuildShards(rec, have, params, [0, 3, 5])
    expect([...out.keys()]).toEqual([0, 3, 5])
    for (const [i, bytes] of out) {
      expect(equalBytes(bytes, enc.shards[0][i])).toBe(true)
      expect(verifyShard(rec.shards[i], bytes)).toBe(true)
    }
    // a corrupt source is skipped, not used
    const corrupt = enc.shards[0].map(s => s.slice())
    corrupt[1][0] ^= 0xff
    const again = rebuildShards(rec, corrupt.map((s, i) => i === 6 ? null : s), params, [6])
    expect(equalBytes(again.get(6) as Uint8Array, enc.shards[0][6])).toBe(true)
    expect(() => rebuildShards(rec, have.map((s, i) => i === 1 ? null : s), params, [0])).toThrow(/only 3 of 4 shards valid/)
    expect(() => rebuildShards(rec, have, params, [7])).toThrow(WgtError)
  })

  it('a record whose numbers do not fit together is INTEGRITY, not a crash', async () => {
    const params: CesParams = { k: 2, m: 1, segmentSize: MIN_SEGMENT_SIZE }
    const enc = await encodeToMemory(randomBytesSeeded(100, 5), params, newFileKey(), newFileId())
    const rec = enc.summary.segments[0]
    for (const broken of [{ ...rec, shardSize: rec.shardSize + 1 }, { ...rec, shards: rec.shards.slice(1) }, { ...rec, cipherSize: 5 }, { ...rec, plainSize: -1 }]) {
      expect(() => rebuildShards(broken, enc.shards[0], params, [2])).toThrow(expect.objectContaining({ code: 'INTEGRITY' }))
    }
  })
})
