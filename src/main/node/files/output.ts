/**
 * Where a fetched file goes. The bytes are written to `<final>.wgt-partial`
 * and only a verified file is renamed to the final name, so nothing
 * unverified ever appears there. A sidecar `<final>.wgt-partial.json` records
 * the manifest id and the segments already written, which is what lets a
 * re-run resume.
 */
import { createHash } from 'node:crypto'
import { open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { crc32 } from 'node:zlib'
import { basename, extname, join } from 'node:path'
import { WgtError } from '../../../shared/errors.js'
import { MAX_NAME_BYTES, sanitizeName } from './names.js'

export const PARTIAL_SUFFIX = '.wgt-partial'
export const SIDECAR_SUFFIX = '.wgt-partial.json'
const TMP_SUFFIX = '.tmp'

/** the longest name chooseOutput gives a file: room for " (9999)" and the sidecar's temporary suffix within MAX_NAME_BYTES */
const MAX_OUTPUT_NAME_BYTES = MAX_NAME_BYTES - ' (9999)'.length - (SIDECAR_SUFFIX + TMP_SUFFIX).length

/**
 * done: the segments written (and made durable) in the partial file; crc: the
 * CRC-32 of each one's bytes as written, in done's order, so a segment whose
 * bytes did not survive (a crash of the machine, a disk that lost a write) is
 * found by one read and fetched again, instead of the whole file. Sidecars
 * written before crc existed have none, and a segment resumed from one has -1:
 * it is taken on trust, and the file's SHA-256 still guards it.
 */
export interface Sidecar { manifestId: string, size: number, done: number[], crc?: number[] }

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
    const crcOk = Array.isArray(s.crc) && s.crc.length === s.done.length && s.crc.every(c => Number.isInteger(c) && c >= -1 && c <= 0xffffffff)
    return { manifestId: s.manifestId, size: s.size, done: s.done, ...(crcOk ? { crc: s.crc } : {}) }
  } catch {
    return null
  }
}

/**
 * Written to a temporary name, synced, and renamed: a kill (or a crash of the
 * machine) mid-write leaves the previous sidecar, never a torn one.
 */
export async function writeSidecar (finalPath: string, s: Sidecar): Promise<void> {
  const tmp = finalPath + SIDECAR_SUFFIX + TMP_SUFFIX
  const fh = await open(tmp, 'w', 0o600)
  try {
    await fh.writeFile(JSON.stringify(s))
    await fh.datasync()
  } finally {
    await fh.close()
  }
  await rename(tmp, finalPath + SIDECAR_SUFFIX)
}

/**
 * Lists the segments a fetch has written in its sidecar, off the fetch's
 * path: one write at a time, and lists given while one runs are coalesced
 * into the next (each names every segment written by then). Each write first
 * datasyncs the partial file, so a listed segment's bytes are durable. The
 * fetch's workers used to wait for each segment's datasync and sidecar
 * write: 20 ms a segment, an eighth of a worker's time (256 MiB, seven
 * daemons). A kill loses at most the segments written since the last write.
 */
export class SidecarRecorder {
  private wanted: Sidecar | null = null
  private running: Promise<void> | null = null
  private failure: unknown = null

  /** onError: the first failed write, so the fetch stops instead of writing on unrecorded */
  constructor (private readonly finalPath: string, private readonly partial: FileHandle, private readonly onError: (err: unknown) => void) {}

  record (s: Sidecar): void {
    if (this.failure != null) return
    this.wanted = s
    if (this.running == null) this.start()
  }

  /** Resolves once the last list given is written; throws a write's failure. */
  async settled (): Promise<void> {
    while (this.running != null) await this.running
    if (this.failure != null) throw this.failure
  }

  /**
   * running is cleared in a callback, which runs after this assignment however
   * soon flush ends, and a list given after flush's last look is written by
   * the next run.
   */
  private start (): void {
    this.running = this.flush().finally(() => {
      this.running = null
      if (this.wanted != null && this.failure == null) this.start()
    })
  }

  private async flush (): Promise<void> {
    try {
      while (this.wanted != null && this.failure == null) {
        const s = this.wanted
        this.wanted = null
        await this.partial.datasync()
        await writeSidecar(this.finalPath, s)
      }
    } catch (err) {
      this.failure = err
      this.onError(err)
    }
  }
}

/**
 * Writes all of bytes at position: a write that stops short (the disk full
 * for a moment, a file size limit) resolves with the count it got to, and
 * writing the rest either finishes it or throws why. Unchecked, a short write
 * left a hole of zeros that a hash of the bytes in memory would not see.
 */
export async function writeFully (fh: Pick<FileHandle, 'write'>, bytes: Uint8Array, position: number): Promise<void> {
  for (let at = 0; at < bytes.byteLength;) {
    const { bytesWritten } = await fh.write(bytes, at, bytes.byteLength - at, position + at)
    if (bytesWritten <= 0) throw new WgtError('UNAVAILABLE', `cannot write at byte ${position + at}: the write made no progress`)
    at += bytesWritten
  }
}

/** CRC-32 of a segment's bytes, for the sidecar (~4.7 GB/s here: 1 ms per 4 MiB segment). */
export function segmentCrc (bytes: Uint8Array): number {
  return crc32(bytes)
}

export async function removePartial (finalPath: string): Promise<void> {
  await rm(finalPath + PARTIAL_SUFFIX, { force: true })
  await rm(finalPath + SIDECAR_SUFFIX, { force: true })
  await rm(finalPath + SIDECAR_SUFFIX + TMP_SUFFIX, { force: true })
}

/**
 * The final path for a download into dir: the sanitized name, or "name (n).ext"
 * when taken; a name whose sidecar belongs to this same manifest is reused (resume).
 */
export async function chooseOutput (dir: string, name: string, manifestId: string): Promise<string> {
  const safe = sanitizeName(name, { maxBytes: MAX_OUTPUT_NAME_BYTES })
  const ext = extname(safe)
  const stem = ext.length > 0 && ext.length < safe.length ? safe.slice(0, -ext.length) : safe
  for (let n = 0; n < 10_000; n++) {
    const candidate = join(dir, n === 0 ? safe : `${stem} (${n})${ext}`)
    const side = await readSidecar(candidate)
    const ours = side != null && side.manifestId === manifestId
    const partial = await exists(candidate + PARTIAL_SUFFIX)
    // taken, unless it is this manifest's verified file that a kill left with its sidecar (finishedEarlier)
    if (await exists(candidate)) {
      if (ours && !partial) return candidate
      continue
    }
    if (ours) return candidate
    if (side != null || partial) continue
    return candidate
  }
  throw new WgtError('UNAVAILABLE', `no free file name for ${basename(safe)} in ${dir}`)
}

/** a read-back's piece (SegmentHash) */
const READ_BACK_BYTES = 1 << 20

/**
 * The SHA-256 of a file written segment by segment, in any order: each
 * segment is hashed as it is written when it is the next in file order
 * (the bytes still in memory), and otherwise read back from the file once the
 * segments before it are in (one written out of order, or by an earlier run).
 * This moves the whole-file hash into the fetch, where it overlaps the
 * network, instead of one more read of the finished file (256 MiB: ~0.4 s
 * here, a tenth of the fetch).
 */
export class SegmentHash {
  private readonly hash = createHash('sha256')
  private readonly written = new Set<number>()
  private next = 0
  /** the file ended before a segment given as written: no digest; the caller's full read sorts it out */
  private short = false
  private scratch: Buffer | null = null
  private queue: Promise<void> = Promise.resolve()

  /** sizeOf: segment i's length in the file; signal: stops a read-back (a resumed fetch reads back what its earlier run wrote) */
  constructor (private readonly partial: FileHandle, private readonly count: number, private readonly segmentSize: number,
    private readonly sizeOf: (i: number) => number, private readonly signal?: AbortSignal) {}

  /**
   * Segment i is in the file; plain, when given, is its bytes, read only
   * before the returned promise settles. Segments of an earlier run are
   * given without bytes.
   */
  async add (i: number, plain?: Uint8Array): Promise<void> {
    const step = this.queue.then(async () => {
      this.written.add(i)
      if (this.short) return
      if (i === this.next && plain != null) {
        this.hash.update(plain)
        this.next++
      }
      while (!this.short && this.next < this.count && this.written.has(this.next)) {
        if (await this.readBack(this.next)) this.next++
      }
    })
    this.queue = step.catch(() => {})
    await step
  }

  /** The hex digest once every segment is in; null while some are missing. Once only. */
  async digest (): Promise<string | null> {
    await this.idle()
    return this.next === this.count && !this.short ? this.hash.digest('hex') : null
  }

  /** Resolves when no read of the file is under way. */
  async idle (): Promise<void> {
    await this.queue
  }

  /**
   * Hashes segment i from the file in pieces of READ_BACK_BYTES (a whole
   * segment's buffer was 4 MiB more of the fetcher's peak); false when the file
   * ends before segment i does (a partial cut short since its earlier run): the
   * hash then stops, and nothing of the segment has gone into it.
   */
  private async readBack (i: number): Promise<boolean> {
    this.signal?.throwIfAborted()
    const size = this.sizeOf(i)
    const start = i * this.segmentSize
    if ((await this.partial.stat()).size < start + size) {
      this.short = true
      return false
    }
    this.scratch ??= Buffer.allocUnsafe(Math.min(READ_BACK_BYTES, this.segmentSize))
    for (let at = 0; at < size;) {
      const { bytesRead } = await this.partial.read(this.scratch, 0, Math.min(this.scratch.byteLength, size - at), start + at)
      if (bytesRead === 0) throw new WgtError('UNAVAILABLE', `the partial file ended at byte ${start + at} while segment ${i} was read back`)
      this.hash.update(this.scratch.subarray(0, bytesRead))
      at += bytesRead
    }
    return true
  }
}

/**
 * One read of the partial file: its SHA-256 and the CRC-32 of each
 * segmentSize-long segment, so a mismatch can name the segments to fetch again.
 */
export async function hashPartial (finalPath: string, segmentSize: number, onBytes?: (n: number) => void): Promise<{ sha256: string, crc: number[] }> {
  const h = createHash('sha256')
  const crc: number[] = []
  let cur = 0
  let inSeg = 0
  await readThrough(finalPath + PARTIAL_SUFFIX, (chunk, n) => {
    h.update(chunk)
    for (let at = 0; at < chunk.byteLength;) {
      const take = Math.min(chunk.byteLength - at, segmentSize - inSeg)
      cur = crc32(chunk.subarray(at, at + take), cur)
      at += take
      inSeg += take
      if (inSeg === segmentSize) { crc.push(cur); cur = 0; inSeg = 0 }
    }
    onBytes?.(n)
  })
  if (inSeg > 0) crc.push(cur)
  return { sha256: h.digest('hex'), crc }
}

/**
 * Every byte of a file through `each`, in one reused 1 MiB buffer: a stream
 * would allocate a fresh buffer per read, and for a file of gigabytes that
 * garbage (outside V8's heap, freed only when a GC gets to it) is what set the
 * process's peak while verifying.
 */
async function readThrough (path: string, each: (chunk: Buffer, total: number) => void): Promise<void> {
  const fh = await open(path, 'r')
  const buf = Buffer.allocUnsafe(1 << 20)
  let total = 0
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.byteLength, total)
      if (bytesRead === 0) break
      total += bytesRead
      each(buf.subarray(0, bytesRead), total)
    }
  } finally {
    await fh.close()
  }
}

/**
 * A fetch killed after its verified partial was renamed to the final name and
 * before the sidecar was removed: the final file, the sidecar of this manifest
 * and no partial. The file is the verified one if it still hashes right.
 */
export async function finishedEarlier (finalPath: string, manifestId: string, size: number): Promise<boolean> {
  const side = await readSidecar(finalPath)
  if (side == null || side.manifestId !== manifestId || side.size !== size || await exists(finalPath + PARTIAL_SUFFIX)) return false
  const st = await stat(finalPath).catch(() => null)
  return st != null && st.isFile() && st.size === size
}

/** SHA-256 of a file: constant memory for any size. */
export async function sha256File (path: string, onBytes?: (n: number) => void): Promise<string> {
  const h = createHash('sha256')
  await readThrough(path, (chunk, n) => { h.update(chunk); onBytes?.(n) })
  return h.digest('hex')
}
