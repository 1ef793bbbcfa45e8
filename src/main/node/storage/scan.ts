/**
 * The open-time scan: finds every shard under its final name (for the usage
 * index) and deletes temp files a crash left behind. Temp files are never
 * served (they have no final name); removing them only reclaims their space.
 */
import { readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { TEMP_SUFFIX, fsyncDir } from './atomic-write.js'
import { parseShardCid } from '../ces/cid.js'
import { fanoutDir } from './cid-path.js'

const FANOUT_NAME = /^[a-z2-7]{2}$/

/** cid → size in bytes of every shard file under `dir` */
export async function scanShardDir (dir: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>()
  for (const sub of await readdir(dir, { withFileTypes: true })) {
    if (!sub.isDirectory() || !FANOUT_NAME.test(sub.name)) continue
    const subDir = join(dir, sub.name)
    let removedTemp = false
    for (const entry of await readdir(subDir, { withFileTypes: true })) {
      if (!entry.isFile()) continue
      if (entry.name.endsWith(TEMP_SUFFIX)) {
        await unlink(join(subDir, entry.name))
        removedTemp = true
        continue
      }
      const cid = tryParse(entry.name)
      // A file that is not a shard, or sits in the wrong fan-out directory, is never served; leave it alone.
      if (cid === null || fanoutDir(cid) !== sub.name) continue
      sizes.set(cid, (await stat(join(subDir, cid))).size)
    }
    if (removedTemp) await fsyncDir(subDir)
  }
  return sizes
}

function tryParse (name: string): string | null {
  try {
    return parseShardCid(name).text
  } catch {
    return null
  }
}
