/**
 * Where a fetched file goes. The bytes are written to `<final>.wgt-partial`
 * and only a verified file is renamed to the final name, so nothing
 * unverified ever appears there. A sidecar `<final>.wgt-partial.json` records
 * the manifest id and the segments already written, which is what lets a
 * re-run resume.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { WgtError } from '../../../shared/errors.js'
import { MAX_NAME_BYTES, sanitizeName } from './names.js'

export const PARTIAL_SUFFIX = '.wgt-partial'
export const SIDECAR_SUFFIX = '.wgt-partial.json'
const TMP_SUFFIX = '.tmp'

/** the longest name chooseOutput gives a file: room for " (9999)" and the sidecar's temporary suffix within MAX_NAME_BYTES */
const MAX_OUTPUT_NAME_BYTES = MAX_NAME_BYTES - ' (9999)'.length - (SIDECAR_SUFFIX + TMP_SUFFIX).length

export interface Sidecar { manifestId: string, size: number, done: number[] }

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

export async function readSidecar (finalPath: string): Promise<Sidecar | null> {
  try {
    const s = JSON.parse(await readFile(finalPath + SIDECAR_SUFFIX, 'utf8')) as Sidecar
    if (typeof s.manifestId !== 'string' || !Array.isArray(s.done) || !s.done.every(Number.isSafeInteger)) return null
    return s
  } catch {
    return null
  }
}

/** Written to a temporary name and renamed: a kill mid-write leaves the previous sidecar. */
export async function writeSidecar (finalPath: string, s: Sidecar): Promise<void> {
  const tmp = finalPath + SIDECAR_SUFFIX + TMP_SUFFIX
  await writeFile(tmp, JSON.stringify(s), { mode: 0o600 })
  await rename(tmp, finalPath + SIDECAR_SUFFIX)
}

export async function removePartial (finalPath: string): Promise<void> {
  await rm(finalPath + PARTIAL_SUFFIX, { force: true })
  await rm(finalPath + SIDECAR_SUFFIX, { force: true })
  await rm(finalPath + SIDECAR_SUFFIX + TMP_SUFFIX, { force: true })
}

/**
 * The final path for a download into dir: the sanitized name, or "name (n).ext"
 * when taken; a name whose partial belongs to this same manifest is reused (resume).
 */
export async function chooseOutput (dir: string, name: string, manifestId: string): Promise<string> {
  const safe = sanitizeName(name, { maxBytes: MAX_OUTPUT_NAME_BYTES })
  const ext = extname(safe)
  const stem = ext.length > 0 && ext.length < safe.length ? safe.slice(0, -ext.length) : safe
  for (let n = 0; n < 10_000; n++) {
    const candidate = join(dir, n === 0 ? safe : `${stem} (${n})${ext}`)
    if (await exists(candidate)) continue
    const side = await readSidecar(candidate)
    if (side != null && side.manifestId === manifestId) return candidate
    if (side != null || await exists(candidate + PARTIAL_SUFFIX)) continue
    return candidate
  }
  throw new WgtError('UNAVAILABLE', `no free file name for ${basename(safe)} in ${dir}`)
}

/**
 * The assembled `<final>.wgt-partial` against the manifest, before it may be
 * called verified: its length first (a cheap stat, and a wrong one says more
 * than a hash), then its SHA-256. Either mismatch removes the partial file and
 * its sidecar and throws INTEGRITY. Returns the hash.
 */
export async function verifyPartial (finalPath: string, size: number, sha256: string, onBytes?: (n: number) => void): Promise<string> {
  const partial = finalPath + PARTIAL_SUFFIX
  const length = (await stat(partial)).size
  if (length !== size) {
    await removePartial(finalPath)
    throw new WgtError('INTEGRITY', `the assembled file is ${length} bytes, the manifest says ${size}; nothing was kept`)
  }
  const actual = await sha256File(partial, onBytes)
  if (actual !== sha256) {
    await removePartial(finalPath)
    throw new WgtError('INTEGRITY', `the assembled file hashes to ${actual}, the manifest says ${sha256}; nothing was kept`)
  }
  return actual
}

/** Streaming SHA-256 of a file: constant memory for any size. */
export async function sha256File (path: string, onBytes?: (n: number) => void): Promise<string> {
  const h = createHash('sha256')
  let n = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer)
    n += (chunk as Buffer).byteLength
    onBytes?.(n)
  }
  return h.digest('hex')
}
