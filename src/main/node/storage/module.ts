/**
 * The storage capability: the shard store under DATA/shards with its quota
 * (the smaller of 10 GiB and half the free disk unless the user or
 * `--quota` set one), periodic garbage collection, and the storage slice.
 */
import { statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { Key, type Datastore } from 'interface-datastore'
import type { SliceApi, storage } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { part, type NodeModule } from '../module.js'
import { ShardStore } from './shard-store.js'

export const SHARD_STORE = part<ShardStore>('storage.store')

const QUOTA_KEY = new Key('/wgt/settings/storage-quota')

export const storageModule: NodeModule = {
  name: 'storage',
  open: async ctx => {
    const { config, datastore } = ctx
    const quotaBytes = config.quotaBytes ?? await loadQuota(datastore) ?? await defaultQuota(config.dataDir)
    const store = await ShardStore.open({ dir: join(config.dataDir, 'shards'), datastore, quotaBytes, log: ctx.logger.forComponent('wgt:storage') })
    ctx.provide(SHARD_STORE, store)
    return async () => { await store.stop() }
  },
  start: async ctx => {
    const store = ctx.need(SHARD_STORE)
    await store.ownedBy(ctx.libp2p.peerId.toString())
    store.start()
    const info = (): ReturnType<ShardStore['stats']> => store.stats()
    const api: SliceApi<typeof storage> = {
      getStorage: async () => info(),
      setStorageQuota: async (bytes) => {
        store.setQuota(bytes)
        await ctx.datastore.put(QUOTA_KEY, new TextEncoder().encode(String(bytes)))
        return info()
      }
    }
    return { api }
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
