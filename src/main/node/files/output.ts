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

export const PARTIAL_SUFFIX = '.wgt-partial'
export const SIDECAR_SUFFIX = '.wgt-partial.json'

export interface Sidecar { manifestId: string, size: number, done: number[] }

/**
 * Characters that reorder the text around them: "invoice\u202Efdp.exe" shows
 * as "invoiceexe.pdf". Zero-width joiners stay (emoji sequences need them).
 */
export const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** A manifest's name as a single safe file name: no separators, no '..', no control or reordering characters. */
export function sanitizeName (name: string): string {
  // eslint-disable-next-line no-control-regex
  let s = name.replace(/[/\\\u0000-\u001f\u007f-\u009f]/g, '_').replace(BIDI_CONTROLS, '_').replace(/^\.+/, '').trim()
  s = s.replace(/\.\.+/g, '.')
  if (s.length > 200) s = s.slice(0, 200)
  if (s === '' || s === '.') s = 'file'
  return s
}

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
  const tmp = finalPath + SIDECAR_SUFFIX + '.tmp'
  await writeFile(tmp, JSON.stringify(s), { mode: 0o600 })
  await rename(tmp, finalPath + SIDECAR_SUFFIX)
}

export async function removePartial (finalPath: string): Promise<void> {
  await rm(finalPath + PARTIAL_SUFFIX, { force: true })
  await rm(finalPath + SIDECAR_SUFFIX, { force: true })
  await rm(finalPath + SIDECAR_SUFFIX + '.tmp', { force: true })
}

/**
 * The final path for a download into dir: the sanitized name, or "name (n).ext"
 * when taken; a name whose partial belongs to this same manifest is reused (resume).
 */
export async function chooseOutput (dir: string, name: string, manifestId: string): Promise<string> {
  const safe = sanitizeName(name)
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
