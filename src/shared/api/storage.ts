/**
 * storage: the shard store's use, quota and pools. This node's own shards
 * (files it shared or fetched) and storage for others share the quota; others
 * are held to their pool and each peer to its quota, so no stranger can stop
 * the user sharing their own files. Whether others may store at all is the
 * 'storage' policy (guard). Every figure counts a shard's size rounded up to
 * the filesystem block: that is what it takes on disk.
 */
import { method, returns } from './define.js'
import { byteCountSchema } from './schemas.js'

export interface StorageInfo {
  /** bytes of shards stored for others and ourselves */
  used: number
  quota: number
  shards: number
  /** of those, what this node keeps for its own files: shards of files it shared or fetched */
  own: { bytes: number, shards: number }
  /** the rest, kept for other peers, and its limits */
  others: {
    bytes: number
    shards: number
    /** peers with shards here */
    peers: number
    pool: number
    perPeerBytes: number
    perPeerShards: number
  }
  blockSize: number
}

export interface ScrubResult {
  checked: number
  /** CIDs of the shards found rotten and deleted */
  corrupt: string[]
}

export interface StorageLimits {
  /** bytes for others, all together; null = half the quota */
  pool?: number | null
  /** bytes one peer may keep here; null = an eighth of the pool, at least 64 MiB */
  perPeerBytes?: number | null
  perPeerShards?: number | null
}

export const storage = {
  name: 'storage',
  methods: {
    getStorage: method({ args: z => z.tuple([]), result: returns<StorageInfo>() }),
    /** persisted: it outlives a restart unless `wgt daemon --quota` overrides it */
    setStorageQuota: method({ args: z => z.tuple([byteCountSchema(z)]), result: returns<StorageInfo>() }),
    /** persisted; a null goes back to the default that follows the quota */
    setStorageLimits: method({
      args: z => z.tuple([z.object({
        pool: byteCountSchema(z).nullable().optional(),
        perPeerBytes: byteCountSchema(z).nullable().optional(),
        perPeerShards: z.number().int().min(0).max(10_000_000).nullable().optional()
      }).strict()]),
      result: returns<StorageInfo>()
    }),
    /** re-hash every stored shard now; rotten ones are deleted and no longer announced */
    scrubStorage: method({ args: z => z.tuple([]), result: returns<ScrubResult>(), timeout: 'wait' })
  },
  events: {}
} as const
