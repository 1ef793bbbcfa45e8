/**
 * Where a shard lives on disk. Its address is checked by ces/cid.ts
 * (parseShardCid) before it gets near a path.
 */
import { join } from 'node:path'

/**
 * Shards fan out into up to 1024 subdirectories named by two characters near
 * the end of the CID. The leading characters are the same for every raw
 * sha2-256 CID ("bafkrei…"), and the very last one carries padding bits, so the
 * next-to-last pair (as IPFS flatfs does) is what spreads evenly.
 */
export function fanoutDir (cid: string): string {
  return cid.slice(-3, -1)
}

export function shardPath (root: string, cid: string): string {
  return join(root, fanoutDir(cid), cid)
}
