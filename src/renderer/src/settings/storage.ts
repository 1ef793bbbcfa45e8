/** The Storage settings as pure functions: the pools as bar geometry, a scrub's outcome in words, and a limit change. */
import type { ScrubResult, StorageInfo, StorageLimits, WgtApi } from '../../../shared/api/index.js'
import type { WgtStore } from '../app/slices.js'
import { formatCount, plural } from '../format.js'

export interface PoolBar {
  /** fractions of the quota (0..1): own shards from the left, others' from the right */
  own: number
  others: number
  free: number
  /** where the pool for others begins, from the left: others' shards never reach past it */
  poolStart: number
  /** bytes of the quota that others can never take: what the user's own files always have */
  reservedForOwn: number
}

export function poolBar (s: StorageInfo): PoolBar {
  const quota = Math.max(0, s.quota)
  const own = Math.max(0, s.own.bytes)
  const others = Math.max(0, s.others.bytes)
  // a quota lowered below what is stored: both shares shrink to fit the bar, nothing is free
  const scale = Math.max(quota, own + others)
  if (scale === 0) return { own: 0, others: 0, free: 1, poolStart: 0, reservedForOwn: 0 }
  const pool = Math.min(Math.max(0, s.others.pool), scale)
  return {
    own: own / scale,
    others: others / scale,
    free: Math.max(0, scale - own - others) / scale,
    poolStart: 1 - pool / scale,
    reservedForOwn: Math.max(0, quota - s.others.pool)
  }
}

/** "1,234 shards checked, 0 rotten" or "1,234 shards checked, 2 rotten shards deleted". */
export function scrubSummary (r: ScrubResult): string {
  if (r.checked === 0) return 'No shards stored here: nothing to check.'
  const checked = `${plural(r.checked, 'shard')} checked`
  return r.corrupt.length === 0
    ? `${checked}, 0 rotten`
    : `${checked}, ${formatCount(r.corrupt.length)} rotten ${r.corrupt.length === 1 ? 'shard' : 'shards'} deleted`
}

/** Set one limit (a byte count) or put it back to the default that follows the quota (null); the store gets the node's new figures. */
export async function setLimit (api: Pick<WgtApi, 'setStorageLimits'>, store: WgtStore, field: 'pool' | 'perPeerBytes', bytes: number | null): Promise<StorageInfo> {
  const patch: StorageLimits = { [field]: bytes }
  const info = await api.setStorageLimits(patch)
  store.getState().storageChanged(info)
  return info
}
