/** The ces contract shared with the files and storage helpers (scratch/CONTEXT-FILES.md). */
export interface CesParams {
  /** data shards per segment (≥ 1) */
  k: number
  /** parity shards per segment (≥ 0); any k of the k+m rebuild the segment */
  m: number
  /** plaintext bytes per segment (the last may be shorter) */
  segmentSize: number
}

/** Bound into every segment's associated data, so a manifest segment cannot pose as a data segment. */
export type CesDomain = 'data' | 'manifest'

export interface EncodedShard {
  segment: number
  index: number
  cid: string
  /** valid and unchanged until release() is called (or for good, if it never is) */
  bytes: Uint8Array
  /**
   * Lets the encoder reuse the memory of `bytes` once every shard of the
   * segment has been released; call it when nothing reads `bytes` any more
   * (e.g. when its put has resolved). Idempotent; optional to call.
   */
  release: () => void
}

export interface SegmentRecord {
  index: number
  plainSize: number
  compressed: boolean
  /** bytes of nonce ‖ AES-GCM ciphertext ‖ tag, before padding to k·shardSize */
  cipherSize: number
  shardSize: number
  /** k+m CIDs, data shards first */
  shards: string[]
}

export interface EncodeSummary {
  size: number
  /** hex SHA-256 of the plaintext */
  sha256: string
  params: CesParams
  segments: SegmentRecord[]
}

export interface SegmentContext {
  params: CesParams
  key: Uint8Array
  fileId: Uint8Array
  domain: CesDomain
  /**
   * Every shard given was already checked against its CID in this record
   * (files/segment-fetch.ts fetchShards does, on arrival), so none is hashed
   * again; their sizes still are. Only for shards the caller verified itself.
   */
  verified?: boolean
}
