export { ShardStore, DEFAULT_GC_INTERVAL_MS, type ShardStoreOptions, type PutResult, type StorageStats } from './shard-store.js'
export type { Lease } from './leases.js'
