/**
 * Streaming encode: segments → zstd (when it pays) → AES-256-GCM →
 * Reed-Solomon k+m → SHA-256 CID per shard → sink. Memory is bounded by
 * about two segments whatever the file size, and a slow sink slows the
 * reader (backpressure through awaiting the sink).
 */
import { createHash } from 'node:crypto'
import { WgtError } from '../../../shared/errors.js'
import { cidFromDigest } from './cid.js'
import { compressHere, samplePays } from './compress.js'
import { SEGMENT_OVERHEAD, checkKeyMaterial, deriveSubkey, sealInto } from './crypto.js'
import { hashShards } from './hasher.js'
import { checkParams } from './params.js'
import { encodeParity } from './rs/index.js'
import { segments } from './segmenter.js'
import type { CesDomain, CesParams, EncodeSummary, EncodedShard, SegmentRecord } from './types.js'

export interface EncodeOptions {
  params: CesParams
  /** 32 bytes, fresh per file (newFileKey) */
  key: Uint8Array
  /** 16 bytes (newFileId) */
  fileId: Uint8Array
  domain: CesDomain
  signal?: AbortSignal
  onProgress?: (bytesRead: number) => void
}

/**
 * Shard bytes handed to the sink stay valid and unchanged until the sink calls
 * that shard's release() (EncodedShard); once released, the shard's memory is
 * reused for a later segment. A sink that never calls release keeps the bytes
 * for good, and that memory is never reused.
 */
export async function encode (source: AsyncIterable<Uint8Array>, opts: EncodeOptions, sink: (shard: EncodedShard) => Promise<void>): Promise<EncodeSummary> {
  const { params, key, fileId, domain, signal } = opts
  checkParams(params)
  checkKeyMaterial(key, fileId, domain)
  const { k, m } = params
  const subkey = deriveSubkey(key, fileId, domain)
  const fileHash = createHash('sha256')
  const records: SegmentRecord[] = []
  const pool = new ShardPool(Math.ceil((params.segmentSize + SEGMENT_OVERHEAD) / k), 2 * (k + m))
  let size = 0
  let index = 0
  // Two stages: while the sink takes segment N's shards (typically network or
  // disk I/O) and a hash worker hashes them, this thread reads, compresses,
  // seals and hashes segment N+1. At most one segment waits ahead of the
  // sink, so memory stays bounded and a slow sink still slows the reader.
  // zstd stays on this thread: on libuv's pool (two segments at once, the
  // plaintext copied) it measured no faster on this loaded 2-core machine,
  // 0.6–1.0× of this form in the same run (old and new encode interleaved in one process, text, 32 MiB).
  let previous: Promise<void> | undefined
  let failed = false
  try {
    for await (const plain of segments(source, params.segmentSize, opts.onProgress)) {
      aborted(signal)
      if (index > 0xffffffff) throw new WgtError('INVALID_INPUT', 'file has more than 2^32 segments')
      // the segmenter reuses the plaintext's memory: everything that reads it happens in this iteration
      const packed = samplePays(plain) ? compressHere(plain) : { payload: plain, compressed: false }
      fileHash.update(plain)
      const sealed = sealSegment(pool, plain.length === params.segmentSize, packed.payload, packed.compressed, plain.length, index, params, subkey, fileId, domain)
      // the shards move to a hash worker (no copy) while this thread reads and seals the next segment
      const hashing = hashShards(sealed.buffers, sealed.record.shardSize).then(h => ({ record: sealed.record, ...h }))
      // if the wait for the previous segment throws first, nothing else observes this one's failure
      hashing.catch(() => {})
      size += plain.length
      index++
      await previous
      previous = hashing.then(async h => { await deliver(h.record, h.buffers, h.digests) })
      // observed later by `await previous`; this only stops an early rejection counting as unhandled
      previous.catch(() => {})
    }
    await previous
  } catch (err) {
    failed = true
    await previous?.catch(() => {})
    throw err
  } finally {
    pool.close()
  }
  return { size, sha256: fileHash.digest('hex'), params: { k, m, segmentSize: params.segmentSize }, segments: records }

  async function deliver (record: SegmentRecord, buffers: ArrayBuffer[], digests: Uint8Array): Promise<void> {
    const n = k + m
    for (let i = 0; i < n; i++) record.shards.push(cidFromDigest(digests.subarray(32 * i, 32 * i + 32)))
    records.push(record)
    for (let i = 0; i < n; i++) {
      if (failed) return
      aborted(signal)
      const bytes = new Uint8Array(buffers[i], 0, record.shardSize)
      await sink({ segment: record.index, index: i, cid: record.shards[i], bytes, release: pool.releaser(buffers[i]) })
    }
  }
}

interface Sealed { record: SegmentRecord, buffers: ArrayBuffer[] }

function sealSegment (pool: ShardPool, full: boolean, payload: Uint8Array, compressed: boolean, plainSize: number, index: number, params: CesParams,
  subkey: Uint8Array, fileId: Uint8Array, domain: CesDomain): Sealed {
  const { k, m } = params
  const cipherSize = payload.length + SEGMENT_OVERHEAD
  const shardSize = Math.ceil(cipherSize / k)
  const buffers = Array.from({ length: k + m }, () => pool.take(shardSize, full))
  const shards = buffers.map(b => new Uint8Array(b, 0, shardSize))
  // sealInto writes the sealed bytes across the data shards, where
  // Reed-Solomon reads them; the padding up to k·shardSize is zeroed here
  // (the memory is reused or not zero-filled); RS writes the parity
  const sealed = sealInto(shards.slice(0, k), payload, { subkey, domain, fileId, segment: index, plainSize, compressed })
  for (let i = Math.floor(sealed / shardSize); i < k; i++) shards[i].fill(0, Math.max(0, sealed - i * shardSize))
  encodeParity(k, m, shards, shardSize)
  // shard CIDs are filled in once the hash worker returns the shards
  return { record: { index, plainSize, compressed, cipherSize, shardSize, shards: [] }, buffers }
}

/**
 * Shard memory reused across one encode's segments, one buffer per shard.
 * A fresh buffer costs its page faults on every write: sealing into a reused
 * stripe measured 0.7 ms against 1.0–1.8 ms into a fresh one (best of 15,
 * 4 MiB random). Buffers of one shard each, rather than a stripe per
 * segment, so a shard whose put is slow holds its own 1 MiB and not its
 * segment's 6: the sharer of a 512 MiB file (seven daemons) peaked at
 * 210–211 MiB with stripes and 199–203 with shards (three interleaved runs).
 * Only full-capacity buffers (any segment of the full plaintext size, whatever
 * it compressed to) are kept, at most `maxFree` of them, and none after the
 * encode ends: memory stays bounded by the shards in flight.
 */
class ShardPool {
  private readonly free: ArrayBuffer[] = []
  private closed = false

  constructor (private readonly capacity: number, private readonly maxFree: number) {}

  /** `full`: a shard of a segment of the full size, worth keeping; a short last segment's shards get exactly their size. */
  take (bytes: number, full: boolean): ArrayBuffer {
    if (full && bytes <= this.capacity) return this.free.pop() ?? allocate(this.capacity)
    return allocate(bytes)
  }

  /** The shard's release function: gives its buffer back once, however often it is called. */
  releaser (buffer: ArrayBuffer): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      if (!this.closed && buffer.byteLength === this.capacity && this.free.length < this.maxFree) this.free.push(buffer)
    }
  }

  close (): void {
    this.closed = true
    this.free.length = 0
  }
}

function allocate (bytes: number): ArrayBuffer {
  // not zero-filled: sealInto and RS write every byte of a shard that is used, and the padding is zeroed
  return Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer
}

function aborted (signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw WgtError.from(signal.reason ?? new Error('encode aborted'))
}
