/**
 * The encoder reuses the memory of a shard once the sink has released it:
 * a shard the sink still holds must never change, a released shard's
 * memory must actually be reused, and the shards must be the same
 * bytes either way (they decode, and match their CIDs).
 */
import { afterAll, describe, expect, it } from 'vitest'
import { MIN_SEGMENT_SIZE, encode, newFileId, newFileKey, verifyShard, type CesParams, type EncodedShard } from '../index.js'
import { MESSAGE_MAX_BYTES, OFF_THREAD_MIN_BYTES, stopHashWorker } from '../hasher.js'
import { chunked, decodeAll, equalBytes, randomBytesSeeded, textBytes, type Encoded } from './helpers.js'

const MiB = 1024 * 1024

interface Held { shard: EncodedShard, copy: Uint8Array }

/**
 * Encodes `data`; in every third segment the sink keeps shard `keep` without
 * releasing it (the others are released, twice, to check release() is
 * idempotent); in the next it releases each shard at once, and in the last
 * on the next event-loop turn, after its own promise resolved, as a put in
 * flight would.
 */
async function encodeHolding (data: Uint8Array, params: CesParams, key: Uint8Array, fileId: Uint8Array): Promise<{ enc: Encoded, held: Held[], buffers: ArrayBuffer[][] }> {
  const held: Held[] = []
  const shards: Uint8Array[][] = []
  /** each segment's shard buffers, by shard index */
  const buffers: ArrayBuffer[][] = []
  const summary = await encode(chunked(data, 65_536), { params, key, fileId, domain: 'data' }, async s => {
    const copy = s.bytes.slice()
    ;(shards[s.segment] ??= [])[s.index] = copy
    ;(buffers[s.segment] ??= [])[s.index] = s.bytes.buffer as ArrayBuffer
    if (s.segment % 3 === 0 && s.index === s.segment % (params.k + params.m)) {
      held.push({ shard: s, copy })
    } else if (s.segment % 3 === 0) {
      s.release()
      s.release()
    } else if (s.segment % 3 === 1) {
      s.release()
    } else {
      setImmediate(s.release)
    }
  })
  return { enc: { summary, shards }, held, buffers }
}

describe('shard memory reuse', () => {
  afterAll(async () => { await stopHashWorker() })

  const cases: Array<[string, CesParams, Uint8Array]> = [
    // segments under the off-thread threshold: hashed on this thread, the very same ArrayBuffers come back
    ['small segments, random', { k: 3, m: 2, segmentSize: MIN_SEGMENT_SIZE * 4 }, randomBytesSeeded(MIN_SEGMENT_SIZE * 4 * 11 + 123, 1)],
    ['small segments, text (compressed, varying shard sizes)', { k: 3, m: 2, segmentSize: MIN_SEGMENT_SIZE * 4 }, textBytes(MIN_SEGMENT_SIZE * 4 * 11 + 5, 2)],
    // compressed and uncompressed segments alternate, in shards of varying size from one pool
    ['text mixed with random segments', { k: 4, m: 2, segmentSize: 256 * 1024 },
      Buffer.concat([textBytes(256 * 1024 * 3, 5), randomBytesSeeded(256 * 1024 * 2, 6), textBytes(256 * 1024 * 4 + 77, 7), randomBytesSeeded(256 * 1024, 8)])],
    // segments over it: moved to the hash worker and back
    ['large segments, random', { k: 4, m: 2, segmentSize: 4 * MiB }, randomBytesSeeded(4 * MiB * 7 + 99, 3)],
    ['large segments, text', { k: 4, m: 2, segmentSize: 4 * MiB }, Buffer.concat([textBytes(4 * MiB * 3, 9), randomBytesSeeded(4 * MiB * 3 + 5, 10)])]
  ]

  for (const [name, params, data] of cases) {
    it(`${name}: a held shard never changes, the file decodes, every shard matches its CID`, async () => {
      const key = newFileKey()
      const fileId = newFileId()
      const { enc, held } = await encodeHolding(data, params, key, fileId)
      // give late releases and any reuse a chance to happen before checking
      await new Promise(resolve => setImmediate(resolve))
      expect(held.length).toBeGreaterThanOrEqual(3)
      for (const h of held) {
        expect(equalBytes(h.shard.bytes, h.copy)).toBe(true)
        expect(verifyShard(h.shard.cid, h.shard.bytes)).toBe(true)
      }
      enc.summary.segments.forEach((rec, i) => rec.shards.forEach((cid, j) => { expect(verifyShard(cid, enc.shards[i][j])).toBe(true) }))
      expect(equalBytes(decodeAll(enc, key, fileId), data)).toBe(true)
      if (name.includes('text')) expect(enc.summary.segments.filter(s => s.compressed).length).toBeGreaterThan(1)
    }, 60_000)
  }

  it('reuses a shard\'s memory once it is released, and never a shard still held', async () => {
    const params: CesParams = { k: 3, m: 2, segmentSize: MIN_SEGMENT_SIZE * 4 }
    expect((params.k + params.m) * params.segmentSize / params.k).toBeLessThan(OFF_THREAD_MIN_BYTES)
    const { buffers, enc } = await encodeHolding(randomBytesSeeded(params.segmentSize * 12, 4), params, newFileKey(), newFileId())
    expect(enc.summary.segments).toHaveLength(12)
    const n = params.k + params.m
    // a held shard's buffer is never used again by a later segment
    buffers.forEach((shards, segment) => {
      if (segment % 3 !== 0) return
      const held = shards[segment % n]
      expect(buffers.slice(segment + 1).flat().includes(held)).toBe(false)
      // each shard has a buffer of its own
      expect(new Set(shards).size).toBe(n)
    })
    // released shards came back: fewer distinct buffers than shards
    const all = buffers.flat()
    expect(all).toHaveLength(12 * n)
    expect(new Set(all).size).toBeLessThan(all.length / 2)
  })
})

describe('shard hashing off the thread', () => {
  afterAll(async () => { await stopHashWorker() })

  it('returns the same bytes and their digests, on either side of the threshold, and restarts after a stop', async () => {
    const { hashShards } = await import('../hasher.js')
    const { hash } = await import('node:crypto')
    for (const size of [1000, Math.floor(OFF_THREAD_MIN_BYTES / 3) + 5]) {
      const count = 4
      const src = Array.from({ length: count }, (_, i) => randomBytesSeeded(size + 8, size + i))
      // each buffer 8 bytes longer than the shard: only its first `size` bytes are hashed
      const { buffers: back, digests } = await hashShards(src.map(b => b.slice().buffer), size)
      expect(back).toHaveLength(count)
      for (let i = 0; i < count; i++) {
        expect(equalBytes(new Uint8Array(back[i]), src[i])).toBe(true)
        expect(equalBytes(digests.subarray(32 * i, 32 * i + 32), hash('sha256', src[i].subarray(0, size), 'buffer'))).toBe(true)
      }
      await stopHashWorker()
    }
  }, 30_000)

  it('hashes a stripe larger than one message in several, and gives the buffers and digests back in order', async () => {
    const { hashShards } = await import('../hasher.js')
    const { hash } = await import('node:crypto')
    const size = 2 ** 20
    // 1 MiB shards past one message's bytes, then one buffer larger than a message on its own
    const lengths = [...Array.from({ length: MESSAGE_MAX_BYTES / size + 3 }, () => size), MESSAGE_MAX_BYTES + size, size]
    const src = lengths.map((len, i) => randomBytesSeeded(len, 7 + i))
    const { buffers: back, digests } = await hashShards(src.map(b => b.slice().buffer), size)
    expect(back.map(b => b.byteLength)).toEqual(lengths)
    expect(digests).toHaveLength(32 * lengths.length)
    for (let i = 0; i < lengths.length; i++) {
      expect(equalBytes(new Uint8Array(back[i]), src[i])).toBe(true)
      expect(equalBytes(digests.subarray(32 * i, 32 * i + 32), hash('sha256', src[i].subarray(0, size), 'buffer'))).toBe(true)
    }
  }, 30_000)
})
