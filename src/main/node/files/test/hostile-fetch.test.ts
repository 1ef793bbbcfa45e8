/**
 * A fetch against a sharer who lies: about the manifest's size, about where
 * segments go, about the file's length, or about a size this disk cannot
 * hold. Each is refused with a clear error before the file is called verified,
 * and leaves no output behind (a disk-full refusal keeps a resumable partial).
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ensureRoom, statfsFreeBytes } from '../disk-space.js'
import { fetchFile } from '../fetch.js'
import { PARTIAL_SUFFIX, writeSidecar } from '../output.js'
import { MAX_MANIFEST_SIZE } from '../tables.js'
import { memoryFiles, operation, plant, plantOversizedManifest, sha256 } from './memory-files.js'

const PARAMS = { k: 2, m: 1, segmentSize: 4096 }

let dir: string
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'wgt-hostile-fetch-')) })
afterEach(async () => { await rm(dir, { recursive: true, force: true }) })

describe('fetching from a hostile sharer', () => {
  it('fetches an honest file through the same harness', async () => {
    const files = memoryFiles(dir)
    const data = randomBytes(3 * 4096 - 100)
    const { link } = await plant(files, data, PARAMS, { name: 'honest.bin' })
    const got = await fetchFile(files.ctx, link, {}, operation())
    expect(got.path).toBe(join(dir, 'honest.bin'))
    expect(await readFile(got.path)).toEqual(data)
    expect(got.size).toBe(data.length)
  })

  it('refuses a manifest that lies about its segment size, and leaves no file', async () => {
    const files = memoryFiles(dir)
    const data = randomBytes(3 * 4096)
    const declared = 1 << 20
    const { link } = await plant(files, data, PARAMS, {
      name: 'sparse.bin',
      lie: m => {
        // whole 4 KiB segments under a 1 MiB segment size: segment i would land at i MiB,
        // and the sharer hashes that sparse layout so the whole-file hash would agree
        const sparse = Buffer.alloc(2 * declared + 4096)
        for (let i = 0; i < 3; i++) data.copy(sparse, i * declared, i * 4096, (i + 1) * 4096)
        return { ...m, params: { ...m.params, segmentSize: declared }, sha256: sha256(sparse) }
      }
    })
    await expect(fetchFile(files.ctx, link, {}, operation())).rejects.toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/3 segments, but 12288 bytes/) })
    expect(await readdir(dir)).toEqual([])
  })

  it('refuses an assembled file whose length is not the manifest\'s, and removes it', async () => {
    const files = memoryFiles(dir)
    const data = randomBytes(3 * 4096)
    const { link, id } = await plant(files, data, PARAMS)
    const out = join(dir, 'out.bin')
    // every segment recorded as written, but the partial file has grown since
    await writeFile(out + PARTIAL_SUFFIX, Buffer.concat([data, Buffer.alloc(10)]))
    await writeSidecar(out, { manifestId: id, size: data.length, done: [0, 1, 2] })
    await expect(fetchFile(files.ctx, link, { outPath: out }, operation())).rejects.toMatchObject({
      code: 'INTEGRITY', message: expect.stringMatching(/assembled file is 12298 bytes, the manifest says 12288/)
    })
    expect(await readdir(dir)).toEqual([])
  })

  it('refuses a root record whose manifest is over the cap without fetching any of it', async () => {
    const files = memoryFiles(dir)
    // a consistent table for it: five 16 MiB manifest segments (of zeros, they would compress to almost nothing)
    const { link } = await plantOversizedManifest(files)
    const before = process.memoryUsage().arrayBuffers
    await expect(fetchFile(files.ctx, link, {}, operation())).rejects.toMatchObject({ code: 'INTEGRITY', message: expect.stringMatching(/over the \d+ a node reads/) })
    // the root record came from our own store; not one manifest shard was asked for, nor room made for it
    expect(files.asked).toEqual([])
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(MAX_MANIFEST_SIZE / 4)
    expect(await readdir(dir)).toEqual([])
  })

  it('refuses a file larger than the free disk before fetching any of it', async () => {
    let free = 1000
    const files = memoryFiles(dir, async () => free)
    const data = randomBytes(3 * 4096)
    const { link, id, manifest } = await plant(files, data, PARAMS)
    const dataShards = new Set(manifest.segments.flatMap(s => s.shards))
    await expect(fetchFile(files.ctx, link, {}, operation())).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringMatching(/not enough free disk space/) })
    expect(files.asked.filter(c => dataShards.has(c))).toEqual([])
    expect(await readdir(dir)).toEqual([])

    // a resume needs room only for what is left: two of three segments are already written
    const out = join(dir, 'resumed.bin')
    await writeFile(out + PARTIAL_SUFFIX, Buffer.concat([data.subarray(0, 2 * 4096), Buffer.alloc(4096)]))
    await writeSidecar(out, { manifestId: id, size: data.length, done: [0, 1] })
    free = 4095
    await expect(fetchFile(files.ctx, link, { outPath: out }, operation())).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' })
    // refused for room, the partial stays for a retry
    expect((await readdir(dir)).sort()).toEqual(['resumed.bin.wgt-partial', 'resumed.bin.wgt-partial.json'])
    free = 4096
    const got = await fetchFile(files.ctx, link, { outPath: out }, operation())
    expect(got.resumedSegments).toBe(2)
    expect(await readFile(out)).toEqual(data)
  })

  it('checks the room against what statfs reports for the directory', async () => {
    await expect(ensureRoom(dir, 10, async () => 9)).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringContaining(dir) })
    await expect(ensureRoom(dir, 10, async () => 10)).resolves.toBeUndefined()
    expect(await statfsFreeBytes(dir)).toBeGreaterThan(0)
  })
})
