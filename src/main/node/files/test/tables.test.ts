/**
 * Root records and manifests are a stranger's word: a table that would make a
 * fetcher hold more than the cap, or place a segment anywhere but where the
 * file's size puts it, is refused as it is decoded, before anything is fetched
 * for it or written from it.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { cidOf } from '../../ces/cid.js'
import { MAX_SEGMENT_SIZE, SEGMENT_OVERHEAD, type CesParams } from '../../ces/index.js'
import {
  MAX_FILE_SIZE, MAX_MANIFEST_SIZE, decodeManifest, decodeRoot, encodeManifest, encodeRoot, manifestSizeEstimate,
  plainSizeOf, segmentCount, type ManifestData, type PlacedSegment
} from '../tables.js'

const PEER = '12D3KooWGRUVh2eK6r6E5Ng7JQ6Yh8cM8pP9wJmZ2n3x4y5z6a7b'

/** a segment entry as share writes it, for plaintext of `plainSize` bytes, with made-up shard addresses */
function entry (index: number, plainSize: number, params: CesParams, holders = 0): PlacedSegment {
  const n = params.k + params.m
  const cipherSize = plainSize + SEGMENT_OVERHEAD
  const shards = Array.from({ length: n }, () => cidOf(randomBytes(8)))
  return { index, plainSize, compressed: false, cipherSize, shardSize: Math.ceil(cipherSize / params.k), shards, holders: shards.map(() => new Array(holders).fill(PEER)) }
}

function manifest (size: number, params: CesParams, sizes?: number[]): ManifestData {
  const plain = sizes ?? Array.from({ length: segmentCount(size, params.segmentSize) }, (_, i) => plainSizeOf(i, size, params.segmentSize))
  return { name: 'x.bin', size, sha256: 'a'.repeat(64), params, segments: plain.map((p, i) => entry(i, p, params)), createdAt: 1 }
}

describe('segment tables', () => {
  it('cuts a size as the segmenter does: whole segments, then the remainder; an empty file has one empty segment', () => {
    expect([0, 1, 2].map(i => plainSizeOf(i, 2 * 4096 + 5, 4096))).toEqual([4096, 4096, 5])
    expect(segmentCount(2 * 4096, 4096)).toBe(2)
    expect(plainSizeOf(1, 2 * 4096, 4096)).toBe(4096)
    expect(segmentCount(0, 4096)).toBe(1)
    expect(plainSizeOf(0, 0, 4096)).toBe(0)
  })

  it('refuses a root record whose manifest is over the cap, before a manifest shard is fetched', () => {
    // a consistent table (five 16 MiB segments of zeros would compress to almost nothing): only the cap refuses it
    const params = { k: 1, m: 0, segmentSize: MAX_SEGMENT_SIZE }
    const manifestSize = MAX_MANIFEST_SIZE + 1
    const segments = manifest(manifestSize, params).segments
    const root = encodeRoot({ fileId: randomBytes(16), params, manifestSize, manifestSha256: 'b'.repeat(64), segments })
    expect(root.byteLength).toBeLessThan(1024)
    expect(() => decodeRoot(root)).toThrow(expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(/over the \d+ a node reads/) }))
    // at the cap it is taken
    const atCap = manifest(MAX_MANIFEST_SIZE, params).segments
    expect(decodeRoot(encodeRoot({ fileId: randomBytes(16), params, manifestSize: MAX_MANIFEST_SIZE, manifestSha256: 'b'.repeat(64), segments: atCap })).manifestSize).toBe(MAX_MANIFEST_SIZE)
  })

  it('refuses a manifest that places a short segment where a whole one belongs', () => {
    const params = { k: 2, m: 1, segmentSize: 1 << 20 }
    // the audit's lie: small segments under a large segment size, so segment i lands at i MiB
    const lying = manifest(3 * 4096, params, [4096, 4096, 4096])
    expect(() => decodeManifest(encodeManifest(lying))).toThrow(expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(/3 segments, but 12288 bytes .* make 1/) }))
    // the right count, a short segment in the middle
    const short = manifest(2 * (1 << 20) + 10, params, [1 << 20, (1 << 20) - 10, 20])
    expect(() => decodeManifest(encodeManifest(short))).toThrow(expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(/segment 1: plain size 1048566, but the file's size makes it 1048576/) }))
    // a last segment that is not the remainder
    const last = manifest((1 << 20) + 10, params, [1 << 20, 9])
    expect(() => decodeManifest(encodeManifest(last))).toThrow(expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(/segment 1: plain size 9, but the file's size makes it 10/) }))
    // and the honest table is read
    expect(decodeManifest(encodeManifest(manifest(2 * (1 << 20) + 10, params))).segments.map(s => s.plainSize)).toEqual([1 << 20, 1 << 20, 10])
  })

  it('refuses a manifest with a size beyond what the format describes, or parameters ces would refuse', () => {
    const params = { k: 1, m: 0, segmentSize: 4096 }
    expect(() => decodeManifest(encodeManifest({ ...manifest(4096, params), size: MAX_FILE_SIZE + 1 }))).toThrow(expect.objectContaining({ code: 'INTEGRITY' }))
    const tiny = { k: 1, m: 0, segmentSize: 1 }
    expect(() => decodeManifest(encodeManifest(manifest(3, tiny)))).toThrow(expect.objectContaining({ code: 'INTEGRITY', message: expect.stringMatching(/parameters out of bounds/) }))
  })

  it('estimates a manifest as share will write it, so a share that could not be fetched is refused up front', () => {
    const params = { k: 4, m: 2, segmentSize: 4 << 20 }
    const size = 40 * (4 << 20) + 123
    const real = encodeManifest({ ...manifest(size, params), segments: manifest(size, params).segments.map(s => ({ ...s, holders: s.shards.map(() => [PEER, PEER]) })) }).byteLength
    const estimate = manifestSizeEstimate('x.bin', size, params, PEER)
    // the estimate takes every segment at its largest: never below, and close
    expect(estimate).toBeGreaterThanOrEqual(real)
    expect(estimate).toBeLessThan(real * 1.02)
    // 4+2 at 4 MiB segments: 200 GiB fits the cap, 300 GiB does not
    expect(manifestSizeEstimate('x.bin', 200 * 2 ** 30, params, PEER)).toBeLessThanOrEqual(MAX_MANIFEST_SIZE)
    expect(manifestSizeEstimate('x.bin', 300 * 2 ** 30, params, PEER)).toBeGreaterThan(MAX_MANIFEST_SIZE)
  })
})
