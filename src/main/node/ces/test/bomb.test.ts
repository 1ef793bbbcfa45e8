/**
 * A decompression bomb: 1 GiB of zeros as 34 KB of zstd, sealed by a sharer
 * who holds the key, in a segment that declares 4 MiB. It must fail with a
 * clear INTEGRITY error having produced no more than the declared size.
 */
import { createZstdDecompress, zstdCompressSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { cidOf } from '../cid.js'
import { decompress } from '../compress.js'
import { SEGMENT_OVERHEAD, deriveSubkey, newFileId, newFileKey, sealInto } from '../crypto.js'
import { decodeSegment } from '../decode.js'
import { encodeParity } from '../rs/index.js'
import type { CesParams, SegmentRecord } from '../types.js'

const MiB = 2 ** 20
const GiB = 2 ** 30
const DECLARED = 4 * MiB

/** 64 zstd frames of 16 MiB of zeros each: a decoder reads concatenated frames as one stream of 1 GiB */
function bomb (): Buffer {
  const frame = zstdCompressSync(Buffer.alloc(16 * MiB))
  return Buffer.concat(new Array(GiB / (16 * MiB)).fill(frame))
}

/** How much the bomb really expands to, counted as it streams out (constant memory). */
async function expandedSize (payload: Buffer): Promise<number> {
  let n = 0
  const z = createZstdDecompress({ chunkSize: MiB })
  z.on('data', (chunk: Buffer) => { n += chunk.length })
  await new Promise<void>((resolve, reject) => { z.on('end', resolve); z.on('error', reject); z.end(payload) })
  return n
}

/** Memory growth across fn: peak RSS (resourceUsage, KiB) and what is left in ArrayBuffers after. */
function growth (fn: () => void): { peakRss: number, rss: number, arrayBuffers: number } {
  const before = process.memoryUsage()
  const peakBefore = process.resourceUsage().maxRSS * 1024
  fn()
  const after = process.memoryUsage()
  return { peakRss: process.resourceUsage().maxRSS * 1024 - peakBefore, rss: after.rss - before.rss, arrayBuffers: after.arrayBuffers - before.arrayBuffers }
}

/** One segment sealed exactly as ces does, but around a payload of the sharer's choosing. */
function sealPayload (payload: Uint8Array, plainSize: number, params: CesParams, key: Uint8Array, fileId: Uint8Array): { record: SegmentRecord, shards: Uint8Array[] } {
  const { k, m } = params
  const cipherSize = payload.length + SEGMENT_OVERHEAD
  const shardSize = Math.ceil(cipherSize / k)
  const stripe = new Uint8Array((k + m) * shardSize)
  sealInto([stripe], payload, { subkey: deriveSubkey(key, fileId, 'data'), domain: 'data', fileId, segment: 0, plainSize, compressed: true })
  const shards = Array.from({ length: k + m }, (_, i) => stripe.subarray(i * shardSize, (i + 1) * shardSize))
  encodeParity(k, m, shards, shardSize)
  return { record: { index: 0, plainSize, compressed: true, cipherSize, shardSize, shards: shards.map(s => cidOf(s)) }, shards }
}

describe('zstd bombs', () => {
  const payload = bomb()

  it('is a real bomb: 1 GiB from a few KiB', async () => {
    expect(payload.length).toBeLessThan(64 * 1024)
    expect(await expandedSize(payload)).toBe(GiB)
  })

  it('stops decompressing at the declared size, with bounded memory', () => {
    let error: unknown
    const used = growth(() => {
      try { decompress(payload, DECLARED, 7) } catch (err) { error = err }
    })
    expect(error).toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/segment 7: decompresses to more than its declared 4194304 bytes/) })
    // a full expansion would be 1 GiB; allow for a segment, zlib's buffers and the test's own noise
    expect(used.peakRss).toBeLessThan(128 * MiB)
    expect(used.rss).toBeLessThan(128 * MiB)
    expect(used.arrayBuffers).toBeLessThan(64 * MiB)
  })

  it('refuses a sealed segment that holds a bomb, whatever its key and shards say', () => {
    const params = { k: 4, m: 2, segmentSize: DECLARED }
    const key = newFileKey()
    const fileId = newFileId()
    const { record, shards } = sealPayload(payload, DECLARED, params, key, fileId)
    let error: unknown
    const used = growth(() => {
      try { decodeSegment(record, shards, { params, key, fileId, domain: 'data' }) } catch (err) { error = err }
    })
    expect(error).toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/decompression bomb/) })
    expect(used.peakRss).toBeLessThan(128 * MiB)
    expect(used.arrayBuffers).toBeLessThan(64 * MiB)
  })

  it('refuses a payload that expands to even one byte more or less than declared', () => {
    const exact = zstdCompressSync(Buffer.alloc(4096, 7))
    expect(Buffer.from(decompress(exact, 4096, 0))).toEqual(Buffer.alloc(4096, 7))
    expect(() => decompress(exact, 4095, 0)).toThrow(expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(/more than its declared 4095/) }))
    expect(() => decompress(exact, 4097, 0)).toThrow(expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(/decompressed to 4096 bytes, expected 4097/) }))
  })
})
