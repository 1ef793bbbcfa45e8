import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { ShardStore, type OthersLimits } from '../index.js'

/** Computed independently of the store (multiformats directly), so a store bug cannot agree with itself. */
export function cidOf (bytes: Uint8Array): string {
  return CID.createV1(raw.code, Digest.create(0x12, createHash('sha256').update(bytes).digest())).toString()
}

export function randomShard (size: number): { cid: string, bytes: Uint8Array } {
  const bytes = new Uint8Array(randomBytes(size))
  return { cid: cidOf(bytes), bytes }
}

/** A temp dir with a real LevelDB datastore in it; dispose() closes and deletes everything. */
export async function workspace (): Promise<{ root: string, shardDir: string, datastore: LevelDatastore, reopenDatastore: () => Promise<LevelDatastore>, dispose: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'wgt-storage-'))
  const dsPath = join(root, 'datastore')
  const ws = {
    root,
    shardDir: join(root, 'shards'),
    datastore: new LevelDatastore(dsPath),
    async reopenDatastore () {
      await ws.datastore.close()
      ws.datastore = new LevelDatastore(dsPath)
      await ws.datastore.open()
      return ws.datastore
    },
    async dispose () {
      await ws.datastore.close().catch(() => {})
      await rm(root, { recursive: true, force: true })
    }
  }
  await ws.datastore.open()
  return ws
}

/**
 * By default a store that counts exact bytes and lets others use the whole
 * quota, so tests of storing, gc and crashes read in plain figures; the pool
 * tests pass blockSize and pools.
 */
export async function openStore (ws: { shardDir: string, datastore: LevelDatastore }, opts: { quotaBytes?: number, now?: () => number, gcIntervalMs?: number, blockSize?: number, pools?: Partial<OthersLimits> } = {}): Promise<ShardStore> {
  const quotaBytes = opts.quotaBytes ?? 64 * 1024 * 1024
  return await ShardStore.open({
    dir: ws.shardDir,
    datastore: ws.datastore,
    quotaBytes,
    now: opts.now,
    gcIntervalMs: opts.gcIntervalMs,
    blockSize: opts.blockSize ?? 1,
    pools: opts.pools ?? { pool: quotaBytes, perPeerBytes: quotaBytes, perPeerShards: 1e9 }
  })
}

/** Every file under the shard dir, as paths relative to it. */
export async function listFiles (dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name).slice(dir.length + 1))
  }
  return out.sort()
}
