/**
 * Room on the disk a fetch writes to. A manifest's size is the sharer's word,
 * so a fetch checks it against what the download directory's file system has
 * free before it fetches anything, and fails at once with QUOTA_EXCEEDED
 * rather than hours later with ENOSPC and a disk filled to the last byte.
 * Two fetches started together may each see the same free space: a write that
 * then finds the disk full still fails the fetch.
 */
import { statfs } from 'node:fs/promises'
import { WgtError } from '../../../shared/errors.js'

/** bytes an unprivileged process may still write under `dir` */
export type FreeBytes = (dir: string) => Promise<number>

export const statfsFreeBytes: FreeBytes = async dir => {
  const fs = await statfs(dir)
  return fs.bavail * fs.bsize
}

/** Throws QUOTA_EXCEEDED unless `dir`'s file system has `needed` bytes free. */
export async function ensureRoom (dir: string, needed: number, freeBytes: FreeBytes): Promise<void> {
  const free = await freeBytes(dir)
  if (needed > free) {
    throw new WgtError('QUOTA_EXCEEDED', `not enough free disk space in ${dir}: the file needs ${mib(needed)}, ${mib(free)} is free`)
  }
}

function mib (n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`
}
