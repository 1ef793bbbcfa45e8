/**
 * The storage capability: the shard store under DATA/shards with its quota
 * (the smaller of 10 GiB and half the free disk unless the user or
 * `--quota` set one), the pool for others and per-peer quotas (defaults
 * follow the quota unless the user set them), periodic garbage collection,
 * and the storage slice.
 */
import { statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { Key, type Datastore } from 'interface-datastore'
import type { SliceApi, StorageLimits, storage } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { part, type NodeModule } from '../module.js'
import { defaultPools, ShardStore, type OthersLimits } from './shard-store.js'

export const SHARD_STORE = part<ShardStore>('storage.store')

const QUOTA_KEY = new Key('/wgt/settings/storage-quota')
const LIMITS_KEY = new Key('/wgt/settings/storage-limits')

export const storageModule: NodeModule = {
  name: 'storage',
  open: async ctx => {
    const { config, datastore } = ctx
    const quotaBytes = config.quotaBytes ?? await loadQuota(datastore) ?? await defaultQuota(config.dataDir)
    const fs = await statfs(config.dataDir)
    const store = await ShardStore.open({
      dir: join(config.dataDir, 'shards'),
      datastore,
      quotaBytes,
      blockSize: fs.bsize,
      pools: limitsFor(quotaBytes, await loadLimits(datastore)),
      log: ctx.logger.forComponent('wgt:storage')
    })
    // whose leases are our own is known before libp2p starts serving PUTs
    await store.ownedBy(ctx.peerId)
    ctx.provide(SHARD_STORE, store)
    return async () => { await store.stop() }
  },
  start: async ctx => {
    const store = ctx.need(SHARD_STORE)
    store.start()
    // proof of storage starts at home: every shard re-hashed on a schedule, at a bounded read rate
    const log = ctx.logger.forComponent('wgt:storage:scrub')
    let scrubbing: Promise<unknown> | undefined
    const scrubTimer = setInterval(() => {
      if (scrubbing != null) return
      scrubbing = store.scrub({ bytesPerSecond: ctx.config.scrubBytesPerSecond })
        .then(r => { if (r.corrupt.length > 0) log.error('scrub deleted %d rotten shards of %d checked', r.corrupt.length, r.checked) })
        .catch(err => { log.error('scrub failed - %e', err) })
        .finally(() => { scrubbing = undefined })
    }, ctx.config.scrubEveryMs)
    scrubTimer.unref()
    const info = (): ReturnType<ShardStore['stats']> => store.stats()
    const api: SliceApi<typeof storage> = {
      getStorage: async () => info(),
      setStorageQuota: async (bytes) => {
        store.setQuota(bytes)
        store.setLimits(limitsFor(bytes, await loadLimits(ctx.datastore)))
        await ctx.datastore.put(QUOTA_KEY, new TextEncoder().encode(String(bytes)))
        return info()
      },
      setStorageLimits: async (patch) => {
        const stored = { ...await loadLimits(ctx.datastore), ...patch }
        const limits = limitsFor(store.stats().quota, stored)
        store.setLimits(limits)
        await ctx.datastore.put(LIMITS_KEY, new TextEncoder().encode(JSON.stringify(stored)))
        return info()
      },
      scrubStorage: async () => await store.scrub()
    }
    return {
      api,
      stop: async () => {
        clearInterval(scrubTimer)
        await store.stop()
        await scrubbing
      }
    }
  }
}

/** The user's limits over the defaults for this quota; per-peer never above the pool. */
function limitsFor (quota: number, stored: StorageLimits): OthersLimits {
  const pool = stored.pool ?? defaultPools(quota).pool
  const defaults = defaultPools(pool * 2)
  return {
    pool,
    perPeerBytes: Math.min(pool, stored.perPeerBytes ?? defaults.perPeerBytes),
    perPeerShards: stored.perPeerShards ?? defaults.perPeerShards
  }
}

async function loadLimits (datastore: Datastore): Promise<StorageLimits> {
  try {
    const v = JSON.parse(new TextDecoder().decode(await datastore.get(LIMITS_KEY))) as Record<string, unknown>
    const n = (x: unknown): number | null => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : null
    return { pool: n(v.pool), perPeerBytes: n(v.perPeerBytes), perPeerShards: n(v.perPeerShards) }
  } catch (err) {
    if ((err as Error).name === 'NotFoundError' || err instanceof SyntaxError) return {}
    throw WgtError.from(err, 'UNAVAILABLE')
  }
}

/** The quota the user set through the API; null when never set. */
export async function loadQuota (datastore: Datastore): Promise<number | null> {
  try {
    const n = Number(new TextDecoder().decode(await datastore.get(QUOTA_KEY)))
    return Number.isSafeInteger(n) && n >= 0 ? n : null
  } catch (err) {
    if ((err as Error).name === 'NotFoundError') return null
    throw WgtError.from(err, 'UNAVAILABLE')
  }
}

/** Without a configured or user-set quota: 10 GiB, or half the free disk when that is less. */
async function defaultQuota (dataDir: string): Promise<number> {
  const fs = await statfs(dataDir)
  return Math.min(10 * 2 ** 30, Math.floor(fs.bavail * fs.bsize / 2))
}
