/**
 * A fetch killed at any point resumes from its partial file and sidecar: a
 * segment recorded done whose bytes on disk are not what was written is
 * fetched again alone (not the whole file), and a fetch killed after its
 * verified file got its final name but before the sidecar went is done.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { fetchFile } from '../fetch.js'
import { PARTIAL_SUFFIX, SIDECAR_SUFFIX, SegmentHash, SidecarRecorder, readSidecar, segmentCrc, writeFully, writeSidecar, type Sidecar } from '../output.js'
import { memoryFiles, operation, plant } from './memory-files.js'

const SEG = 4096
const PARAMS = { k: 2, m: 1, segmentSize: SEG }

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wgt-resume-')) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

describe('resuming a fetch', () => {
  it('records each written segment with its CRC, and keeps nothing once verified', async () => {
    const files = memoryFiles(dir)
    const data = randomBytes(3 * SEG - 10)
    const { link, id } = await plant(files, data, PARAMS)
    const out = join(dir, 'out.bin')
    // a run killed after segments 0 and 2: their bytes are in the partial, the sidecar says so
    const partial = Buffer.alloc(data.length)
    data.copy(partial, 0, 0, SEG)
    data.copy(partial, 2 * SEG, 2 * SEG)
    await writeFile(out + PARTIAL_SUFFIX, partial)
    await writeSidecar(out, { manifestId: id, size: data.length, done: [0, 2], crc: [segmentCrc(data.subarray(0, SEG)), segmentCrc(data.subarray(2 * SEG))] })
    expect((await readSidecar(out))?.crc).toHaveLength(2)
    const got = await fetchFile(files.ctx, link, { outPath: out }, operation())
    expect(got.resumedSegments).toBe(2)
    expect(await readFile(out)).toEqual(data)
    expect(await readdir(dir)).toEqual(['out.bin'])
  })

  it('fetches again only the segments whose bytes on disk differ from what the sidecar recorded', async () => {
    const files = memoryFiles(dir)
    const data = randomBytes(4 * SEG)
    const { link, id, manifest } = await plant(files, data, PARAMS)
    const out = join(dir, 'out.bin')
    // all four recorded done, but segment 1's write never reached the disk (a crash of the machine)
    const partial = Buffer.from(data)
    partial.fill(0, SEG, 2 * SEG)
    await writeFile(out + PARTIAL_SUFFIX, partial)
    const crc = [0, 1, 2, 3].map(i => segmentCrc(data.subarray(i * SEG, (i + 1) * SEG)))
    await writeSidecar(out, { manifestId: id, size: data.length, done: [0, 1, 2, 3], crc })
    const got = await fetchFile(files.ctx, link, { outPath: out }, operation())
    expect(got.sha256).toBe(manifest.sha256)
    expect(await readFile(out)).toEqual(data)
    const dataShards = manifest.segments.map(s => new Set(s.shards))
    const asked = files.asked.filter(c => dataShards.some(s => s.has(c)))
    expect(asked.length).toBeGreaterThan(0)
    expect(asked.every(c => dataShards[1].has(c))).toBe(true)
    expect(await readdir(dir)).toEqual(['out.bin'])
  })

  it('refuses, and keeps nothing, when every segment checks out but the file does not hash to the manifest', async () => {
    const files = memoryFiles(dir)
    const data = randomBytes(2 * SEG)
    const { link } = await plant(files, data, PARAMS, { lie: m => ({ ...m, sha256: '0'.repeat(64) }) })
    await expect(fetchFile(files.ctx, link, { outPath: join(dir, 'out.bin') }, operation())).rejects.toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/hashes to/) })
    expect(await readdir(dir)).toEqual([])
  })

  it('finishes a fetch killed between the rename to the final name and the removal of the sidecar', async () => {
    const files = memoryFiles(dir)
    const data = randomBytes(3 * SEG)
    const { link, id, manifest } = await plant(files, data, PARAMS, { name: 'done.bin' })
    const final = join(dir, 'done.bin')
    await writeFile(final + PARTIAL_SUFFIX, data)
    await writeSidecar(final, { manifestId: id, size: data.length, done: [0, 1, 2], crc: [0, 1, 2].map(i => segmentCrc(data.subarray(i * SEG, (i + 1) * SEG))) })
    await rename(final + PARTIAL_SUFFIX, final)
    const dataShards = new Set(manifest.segments.flatMap(s => s.shards))
    // the same output by name (the download directory) and by path
    const got = await fetchFile(files.ctx, link, {}, operation())
    expect(got).toMatchObject({ path: final, sha256: manifest.sha256, existing: false })
    expect(files.asked.filter(c => dataShards.has(c))).toEqual([])
    expect(await readdir(dir)).toEqual(['done.bin'])
    expect(await readFile(final)).toEqual(data)
  })

  it('does not take a file of the same name for a finished fetch when it does not hash right', async () => {
    const files = memoryFiles(dir)
    const data = randomBytes(2 * SEG)
    const { link, id } = await plant(files, data, PARAMS, { name: 'x.bin' })
    const final = join(dir, 'x.bin')
    await writeFile(final, randomBytes(data.length))
    await writeSidecar(final, { manifestId: id, size: data.length, done: [0, 1] })
    await expect(fetchFile(files.ctx, link, { outPath: final }, operation())).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/already exists/) })
  })

  it('writes the sidecar whole or not at all: a torn temporary file is ignored', async () => {
    const out = join(dir, 'y.bin')
    await writeSidecar(out, { manifestId: 'm', size: 10, done: [0], crc: [5] })
    const fh = await open(out + SIDECAR_SUFFIX + '.tmp', 'w')
    await fh.writeFile('{"manifestId":"m","size":10,"done":[0,1')
    await fh.close()
    expect(await readSidecar(out)).toEqual({ manifestId: 'm', size: 10, done: [0], crc: [5] })
  })

  it('lists finished segments without holding up the fetch: later lists coalesce, and the last one given is what is written', async () => {
    const out = join(dir, 'z.bin')
    const fh = await open(out + PARTIAL_SUFFIX, 'w')
    try {
      const errors: unknown[] = []
      const rec = new SidecarRecorder(out, fh, err => { errors.push(err) })
      for (let n = 1; n <= 5; n++) rec.record({ manifestId: 'm', size: 10, done: [...Array(n).keys()], crc: Array(n).fill(7) })
      await rec.settled()
      expect(await readSidecar(out)).toEqual({ manifestId: 'm', size: 10, done: [0, 1, 2, 3, 4], crc: [7, 7, 7, 7, 7] })
      expect(errors).toEqual([])
    } finally {
      await fh.close()
    }
  })

  it('stops the fetch at the first sidecar write that fails, and says why', async () => {
    const out = join(dir, 'gone', 'w.bin')
    const fh = await open(join(dir, 'w' + PARTIAL_SUFFIX), 'w')
    try {
      const errors: unknown[] = []
      const rec = new SidecarRecorder(out, fh, err => { errors.push(err) })
      rec.record({ manifestId: 'm', size: 10, done: [0], crc: [1] })
      rec.record({ manifestId: 'm', size: 10, done: [0, 1], crc: [1, 2] })
      await expect(rec.settled()).rejects.toThrow(/ENOENT/)
      expect(errors).toHaveLength(1)
      // nothing more is written once one write failed
      rec.record({ manifestId: 'm', size: 10, done: [0, 1, 2], crc: [1, 2, 3] })
      await expect(rec.settled()).rejects.toThrow(/ENOENT/)
      expect(errors).toHaveLength(1)
    } finally {
      await fh.close()
    }
  })

  it('hashes a file written segment by segment in any order: in memory when in order, read back when not', async () => {
    const data = randomBytes(4 * SEG + 100)
    const sizeOf = (i: number): number => Math.min(SEG, data.length - i * SEG)
    const seg = (i: number): Buffer => data.subarray(i * SEG, i * SEG + sizeOf(i))
    const fh = await open(join(dir, 'h' + PARTIAL_SUFFIX), 'w+')
    try {
      await fh.truncate(data.length)
      const hashed = new SegmentHash(fh, 5, SEG, sizeOf)
      const write = async (i: number, withBytes: boolean): Promise<void> => {
        await fh.write(seg(i), 0, sizeOf(i), i * SEG)
        // the caller's buffer is reused at once: what is hashed later must come from the file
        const bytes = Buffer.from(seg(i))
        const added = hashed.add(i, withBytes ? bytes : undefined)
        await added
        bytes.fill(0)
      }
      await write(3, false) // an earlier run's
      await write(1, true) // out of order: read back when 0 is in
      await write(0, true)
      await write(4, true) // out of order
      await write(2, true) // in order, then 3 and 4 from the file
      expect(await hashed.digest()).toBe(createHash('sha256').update(data).digest('hex'))
    } finally {
      await fh.close()
    }
  })

  it('gives no hash while a segment is missing', async () => {
    const fh = await open(join(dir, 'm' + PARTIAL_SUFFIX), 'w+')
    try {
      await fh.truncate(2 * SEG)
      const hashed = new SegmentHash(fh, 2, SEG, () => SEG)
      await hashed.add(1, Buffer.alloc(SEG))
      expect(await hashed.digest()).toBeNull()
    } finally {
      await fh.close()
    }
  })

  it('gives a list recorded while a write runs a datasync of its own, and skips the lists between', async () => {
    const out = join(dir, 's.bin')
    let release!: () => void
    const gate = new Promise<void>(resolve => { release = resolve })
    const events: string[] = []
    // a partial whose first datasync waits until the test lets it go
    const partial = { datasync: async () => { events.push('datasync'); if (events.length === 1) await gate } }
    const rec = new SidecarRecorder(out, partial as unknown as FileHandle, () => {})
    const list = (n: number): Sidecar => ({ manifestId: 'm', size: 10, done: [...Array(n).keys()], crc: Array(n).fill(1) })
    rec.record(list(1))
    rec.record(list(2))
    rec.record(list(3))
    release()
    await rec.settled()
    expect(events).toEqual(['datasync', 'datasync'])
    expect((await readSidecar(out))?.done).toEqual([0, 1, 2])
  })

  it('writes a segment whole: a short write is continued, and one that makes no progress throws', async () => {
    const file = Buffer.alloc(100)
    const writes: number[] = []
    const stingy = { write: async (b: Uint8Array, off: number, len: number, pos: number) => { const n = Math.min(len, 30); file.set(b.subarray(off, off + n), pos); writes.push(n); return { bytesWritten: n, buffer: b } } }
    const bytes = randomBytes(70)
    await writeFully(stingy as unknown as FileHandle, bytes, 20)
    expect(writes).toEqual([30, 30, 10])
    expect(file.subarray(20, 90)).toEqual(bytes)
    const stuck = { write: async (b: Uint8Array) => ({ bytesWritten: 0, buffer: b }) }
    await expect(writeFully(stuck as unknown as FileHandle, bytes, 0)).rejects.toThrow(/no progress/)
  })

  it('gives no hash, and does not fail, when the partial ends before a segment an earlier run wrote; a cancel stops the read-back', async () => {
    const fh = await open(join(dir, 'c' + PARTIAL_SUFFIX), 'w+')
    try {
      await fh.truncate(SEG + 10)
      const short = new SegmentHash(fh, 3, SEG, () => SEG)
      await short.add(0)
      await short.add(1)
      await short.add(2, Buffer.alloc(SEG))
      expect(await short.digest()).toBeNull()
      const cancel = new AbortController()
      cancel.abort(new Error('cancelled'))
      const stopped = new SegmentHash(fh, 2, SEG, () => SEG, cancel.signal)
      await expect(stopped.add(0)).rejects.toThrow('cancelled')
    } finally {
      await fh.close()
    }
  })

  it('refuses a second fetch of a link while the first runs, and leaves the first to finish', async () => {
    const files = memoryFiles(dir)
    const data = randomBytes(3 * SEG - 10)
    const { link } = await plant(files, data, PARAMS)
    const out = join(dir, 'twice.bin')
    const first = fetchFile(files.ctx, link, { outPath: out }, operation())
    await expect(fetchFile(files.ctx, link, { outPath: join(dir, 'other.bin') }, operation())).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect((await first).path).toBe(out)
    expect(await readFile(out)).toEqual(data)
    // once it is done, the link may be fetched again
    expect((await fetchFile(files.ctx, link, { outPath: join(dir, 'again.bin') }, operation())).sha256).toBe((await first).sha256)
  })

  it('fails the fetch when keeping a shard fails, releases what it kept only once every keep has settled, and lists only kept segments', async () => {
    const files = memoryFiles(dir)
    const data = randomBytes(8 * SEG)
    const { link, manifest } = await plant(files, data, PARAMS)
    const failing = manifest.segments[3].shards[0]
    const ctx = files.ctx as unknown as { settings: () => unknown, shards: Record<string, unknown> }
    ctx.settings = () => ({ downloadDir: dir, keepFetchedShards: true })
    let inFlight = 0
    const kept: string[] = []
    const released: string[] = []
    ctx.shards.put = async (_peer: string, cid: string) => {
      inFlight++
      try {
        await new Promise(resolve => setTimeout(resolve, 5))
        if (cid === failing) throw new WgtError('QUOTA_EXCEEDED', 'storage quota exceeded')
        kept.push(cid)
        return 'stored'
      } finally {
        inFlight--
      }
    }
    ctx.shards.release = async (_peer: string, cids: string[]) => {
      expect(inFlight).toBe(0)
      released.push(...cids)
    }
    const out = join(dir, 'k.bin')
    await expect(fetchFile(files.ctx, link, { outPath: out }, operation())).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' })
    expect(released.sort()).toEqual(kept.sort())
    // the sidecar names no segment whose shards were not all kept
    const listed = (await readSidecar(out))?.done ?? []
    expect(listed).not.toContain(3)
    for (const i of listed) for (const cid of manifest.segments[i].shards.slice(0, PARAMS.k)) expect(kept).toContain(cid)
  })
})
