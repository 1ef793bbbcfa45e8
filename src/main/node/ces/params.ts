/** Bounds on CES parameters, checked wherever parameters or records enter. */
import { WgtError } from '../../../shared/errors.js'
import type { CesParams, SegmentRecord } from './types.js'
import { SEGMENT_OVERHEAD } from './crypto.js'

export const DEFAULT_SEGMENT_SIZE = 4 * 1024 * 1024
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024
/** Small enough for fast tests, large enough that per-segment overhead (28 bytes + k+m CIDs) stays small. */
export const MIN_SEGMENT_SIZE = 4096
/** GF(2^8) has 255 non-zero elements; the Cauchy construction needs k+m distinct ones. */
export const MAX_SHARDS = 255
/** The largest shard ces ever produces (k = 1, incompressible segment): a bound for wire messages. */
export const MAX_SHARD_SIZE = MAX_SEGMENT_SIZE + SEGMENT_OVERHEAD
export const DEFAULT_PARAMS: Readonly<CesParams> = Object.freeze({ k: 4, m: 2, segmentSize: DEFAULT_SEGMENT_SIZE })

export function checkParams (p: CesParams): void {
  const bad = (why: string): never => { throw new WgtError('INVALID_INPUT', `CES parameters: ${why}`) }
  if (p === null || typeof p !== 'object') bad('missing')
  if (!Number.isInteger(p.k) || p.k < 1) bad(`k must be an integer ≥ 1, got ${p.k}`)
  if (!Number.isInteger(p.m) || p.m < 0) bad(`m must be an integer ≥ 0, got ${p.m}`)
  if (p.k + p.m > MAX_SHARDS) bad(`k+m must be ≤ ${MAX_SHARDS}, got ${p.k + p.m}`)
  if (!Number.isInteger(p.segmentSize) || p.segmentSize < MIN_SEGMENT_SIZE || p.segmentSize > MAX_SEGMENT_SIZE) {
    bad(`segmentSize must be an integer in [${MIN_SEGMENT_SIZE}, ${MAX_SEGMENT_SIZE}], got ${p.segmentSize}`)
  }
}

/**
 * A record comes from a decrypted manifest or a root record fetched from
 * peers; one whose numbers do not fit together is damaged data (INTEGRITY).
 */
export function checkRecord (r: SegmentRecord, p: CesParams): void {
  const bad = (why: string): never => { throw new WgtError('INTEGRITY', `segment record ${String(r?.index)}: ${why}`) }
  if (r === null || typeof r !== 'object') bad('missing')
  if (!Number.isInteger(r.index) || r.index < 0 || r.index > 0xffffffff) bad('bad index')
  if (!Number.isInteger(r.plainSize) || r.plainSize < 0 || r.plainSize > p.segmentSize) bad('bad plainSize')
  if (typeof r.compressed !== 'boolean') bad('bad compressed flag')
  // compressed payloads are only kept when smaller than the plaintext
  const maxCipher = r.plainSize + SEGMENT_OVERHEAD
  if (!Number.isInteger(r.cipherSize) || r.cipherSize < SEGMENT_OVERHEAD || r.cipherSize > maxCipher ||
      (!r.compressed && r.cipherSize !== maxCipher)) bad('bad cipherSize')
  if (r.shardSize !== Math.ceil(r.cipherSize / p.k)) bad('bad shardSize')
  if (!Array.isArray(r.shards) || r.shards.length !== p.k + p.m || !r.shards.every(s => typeof s === 'string')) {
    bad(`expected ${p.k + p.m} shard CIDs`)
  }
}
