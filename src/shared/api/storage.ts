/** storage: the shard store's use and quota. */
import { method, returns } from './define.js'
import { byteCountSchema } from './schemas.js'

export interface StorageInfo {
  /** bytes of shards stored for others and ourselves */
  used: number
  quota: number
  shards: number
  /** of those, what this node keeps for its own files: shards of files it shared or fetched */
  own: { bytes: number, shards: number }
}

export const storage = {
  name: 'storage',
  methods: {
    getStorage: method({ args: z => z.tuple([]), result: returns<StorageInfo>() }),
    /** persisted: it outlives a restart unless `wgt daemon --quota` overrides it */
    setStorageQuota: method({ args: z => z.tuple([byteCountSchema(z)]), result: returns<StorageInfo>() })
  },
  events: {}
} as const
