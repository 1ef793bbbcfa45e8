/**
 * Crash-safe file writes. A shard must never exist under its final name unless
 * all of its bytes are on disk: readers trust the name. So bytes go to a temp
 * file in the same directory (rename is only atomic within one file system),
 * are fsynced, then renamed into place, and the directory is fsynced so the
 * rename itself survives a power cut. A crash leaves at most a temp file, which
 * the store deletes when it next opens.
 */
import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Temp files end with this, so a scan can tell them apart from shards and remove them. */
export const TEMP_SUFFIX = '.tmp'

export async function writeFileAtomic (path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path)
  // The final name is kept in the temp name so a leftover can be traced to the shard it was for.
  const temp = join(dir, `${basename(path)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`)
  let renamed = false
  try {
    const fh = await open(temp, 'wx', 0o600)
    try {
      await fh.writeFile(bytes)
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(temp, path)
    renamed = true
    await fsyncDir(dir)
  } finally {
    if (!renamed) await unlink(temp).catch(() => {})
  }
}

/**
 * Makes a directory's entries (creations, renames, unlinks) durable. Windows
 * cannot open a directory for syncing; NTFS journals renames itself, so there
 * it is skipped.
 */
export async function fsyncDir (dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
