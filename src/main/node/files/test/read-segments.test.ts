import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSegments } from '../read-segments.js'

let dir: string
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'wgt-read-segments-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

describe('readSegments', () => {
  it('yields the file in segment-sized views of one buffer, the last one short, none for an empty file', async () => {
    const size = 1000
    for (const length of [0, 1, size - 1, size, size + 1, 3 * size]) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 7 + length) & 0xff)
      const path = join(dir, `f${length}`)
      await writeFile(path, bytes)
      const got: Uint8Array[] = []
      const buffers = new Set<ArrayBufferLike>()
      // copied as they come: each view is valid only until the next is asked for
      for await (const view of readSegments(path, size)) { got.push(view.slice()); buffers.add(view.buffer) }
      expect(got.map(v => v.length)).toEqual(Array.from({ length: Math.ceil(length / size) }, (_, i) => Math.min(size, length - i * size)))
      expect(Buffer.concat(got).equals(Buffer.from(bytes))).toBe(true)
      expect(buffers.size).toBeLessThanOrEqual(1)
    }
  })
})
