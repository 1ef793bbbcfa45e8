/**
 * Reverse path for one segment, and shard repair. Every given shard's hash is
 * checked before it is used; a mismatching shard is treated as missing and
 * reported, so the caller can blame its holder and another shard fills in.
 */
import { WgtError } from '../../../shared/errors.js'
import { verifyShard } from './cid.js'
import { decompress } from './compress.js'
import { SEGMENT_OVERHEAD, checkKeyMaterial, deriveSubkey, openInto } from './crypto.js'
import { checkParams, checkRecord } from './params.js'
import { reconstruct } from './rs/index.js'
import type { CesParams, SegmentContext, SegmentRecord } from './types.js'

interface Verified {
  valid: Array<Uint8Array | null>
  rejected: number[]
  count: number
}

function verifyAll (record: SegmentRecord, shards: Array<Uint8Array | null>, params: CesParams, verified = false): Verified {
  checkParams(params)
  checkRecord(record, params)
  const n = params.k + params.m
  if (!Array.isArray(shards) || shards.length !== n) throw new WgtError('INVALID_INPUT', `expected ${n} shard slots (null for missing), got ${shards?.length}`)
  const valid: Array<Uint8Array | null> = []
  const rejected: number[] = []
  let count = 0
  for (let i = 0; i < n; i++) {
    const s = shards[i]
    if (s === null || s === undefined) { valid.push(null); continue }
    if (s instanceof Uint8Array && s.length === record.shardSize && (verified || verifyShard(record.shards[i], s))) {
      valid.push(s)
      count++
    } else {
      valid.push(null)
      rejected.push(i)
    }
  }
  if (count < params.k) throw new WgtError('INTEGRITY', `segment ${record.index}: only ${count} of ${params.k} shards valid`)
  return { valid, rejected, count }
}

/**
 * `into`, when given, receives the payload (a view of it is returned as
 * `plain` unless the segment was compressed); the caller may reuse it once
 * done with `plain`. A buffer too small for the payload is not used. After
 * a throw, `into` may hold unauthenticated bytes: do not read it.
 */
export function decodeSegment (record: SegmentRecord, shards: Array<Uint8Array | null>, opts: SegmentContext, into?: Uint8Array): { plain: Uint8Array, rejected: number[] } {
  const { params, key, fileId, domain } = opts
  checkKeyMaterial(key, fileId, domain)
  const { valid, rejected } = verifyAll(record, shards, params, opts.verified === true)
  const { k } = params
  const missing: number[] = []
  for (let i = 0; i < k; i++) if (valid[i] === null) missing.push(i)
  const rebuilt = reconstruct(k, valid, missing, record.shardSize)
  const data = valid.slice(0, k) as Uint8Array[]
  missing.forEach((i, t) => { data[i] = rebuilt[t] })

  // decrypted straight from the data shards: no concatenated copy of the sealed segment
  const payloadSize = Math.max(0, record.cipherSize - SEGMENT_OVERHEAD)
  const out = into != null && into.length >= payloadSize ? into : new Uint8Array(payloadSize)
  const payload = openInto(data, record.cipherSize, out, {
    subkey: deriveSubkey(key, fileId, domain),
    domain,
    fileId,
    segment: record.index,
    plainSize: record.plainSize,
    compressed: record.compressed
  })
  const plain = record.compressed ? decompress(payload, record.plainSize, record.index) : payload
  if (plain.length !== record.plainSize) throw new WgtError('INTEGRITY', `segment ${record.index}: ${plain.length} bytes, expected ${record.plainSize}`)
  return { plain, rejected }
}

/**
 * Re-creates the listed shards from any k valid ones (Reed-Solomon only, no
 * key: a repairer never sees plaintext). Each result is checked against its
 * CID in the record before it is returned. `verified`: the shards given were
 * checked against their CIDs already (as in SegmentContext), not hashed again.
 */
export function rebuildShards (record: SegmentRecord, shards: Array<Uint8Array | null>, params: CesParams, want: number[], opts: { verified?: boolean } = {}): Map<number, Uint8Array> {
  const n = params.k + params.m
  if (!Array.isArray(want) || !want.every(w => Number.isInteger(w) && w >= 0 && w < n) || new Set(want).size !== want.length) {
    throw new WgtError('INVALID_INPUT', `shard indexes to rebuild must be distinct integers in [0, ${n})`)
  }
  const { valid } = verifyAll(record, shards, params, opts.verified === true)
  const rebuilt = reconstruct(params.k, valid, want, record.shardSize)
  const out = new Map<number, Uint8Array>()
  want.forEach((w, t) => {
    if (!verifyShard(record.shards[w], rebuilt[t])) throw new WgtError('INTEGRITY', `segment ${record.index}: rebuilt shard ${w} does not match its CID`)
    out.set(w, rebuilt[t])
  })
  return out
}
