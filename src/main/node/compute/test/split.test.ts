import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeMatrixAt, encodeMatrix } from '../matrix.js'
import { colBlock, matmulBlocks, matmulTaskBytes, matmulTaskInput, randomMatrix, readMatmulInputs, rowBlock, splitLines } from '../split.js'

const dir = await mkdtemp(join(tmpdir(), 'wgt-split-'))
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

const enc = new TextEncoder()

describe('matmul blocks', () => {
  it('cover the product exactly, row by row, edge blocks smaller', () => {
    const blocks = matmulBlocks({ rows: 600, cols: 300 }, 256)
    expect(blocks.map(b => [b.r0, b.r1, b.c0, b.c1])).toEqual([
      [0, 256, 0, 256], [0, 256, 256, 300], [256, 512, 0, 256], [256, 512, 256, 300], [512, 600, 0, 256], [512, 600, 256, 300]
    ])
  })

  it('a task input is A\'s row block then B\'s column block, of the size announced', () => {
    const a = { rows: 3, cols: 2, data: Float64Array.from([1, 2, 3, 4, 5, 6]) }
    const b = { rows: 2, cols: 3, data: Float64Array.from([7, 8, 9, 10, 11, 12]) }
    const blk = { r0: 1, r1: 3, c0: 1, c1: 3 }
    const input = matmulTaskInput(a, b, blk)
    expect(input.length).toBe(matmulTaskBytes(2, blk))
    const first = decodeMatrixAt(input, 0)
    expect([...first.matrix.data]).toEqual([3, 4, 5, 6])
    const second = decodeMatrixAt(input, first.end)
    expect(second.end).toBe(input.length)
    expect([...second.matrix.data]).toEqual([8, 9, 11, 12])
    expect(rowBlock(a, blk).rows).toBe(2)
    expect(colBlock(b, blk).cols).toBe(2)
  })

  it('random inputs are in [-1, 1) and not constant', () => {
    const m = randomMatrix(300)
    expect(m.data.length).toBe(90_000)
    expect(m.data.every(x => x >= -1 && x < 1)).toBe(true)
    expect(new Set(m.data).size).toBeGreaterThan(89_000)
    expect(() => randomMatrix(5000)).toThrow(/outside 1\.\.4096/)
  })
})

describe('matrix files', () => {
  it('reads A and B, and refuses mismatched shapes naming both before reading the data', async () => {
    const a = join(dir, 'a.wgtm')
    const b = join(dir, 'b.wgtm')
    await writeFile(a, encodeMatrix({ rows: 2, cols: 3, data: new Float64Array(6).fill(1) }))
    await writeFile(b, encodeMatrix({ rows: 3, cols: 1, data: new Float64Array(3).fill(2) }))
    const m = await readMatmulInputs(a, b)
    expect(m.a.cols).toBe(3)
    await expect(readMatmulInputs(a, a)).rejects.toThrow(/2×3.*2×3/)
  })

  it('refuses a 2^32×2^32 header without reading further', async () => {
    const hostile = join(dir, 'hostile.wgtm')
    const head = new Uint8Array(16)
    head.set([0x57, 0x47, 0x54, 0x4d, 1])
    new DataView(head.buffer).setUint32(8, 0xffffffff, true)
    new DataView(head.buffer).setUint32(12, 0xffffffff, true)
    await writeFile(hostile, head)
    await expect(readMatmulInputs(hostile, hostile)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})

describe('splitLines', () => {
  it('cuts at newlines into pieces of at most max bytes', () => {
    const input = enc.encode('aaa\nbb\ncccc\nd\n')
    const pieces = splitLines(input, 8)
    expect(pieces).toEqual([[0, 7], [7, 14]])
    expect(pieces.every(([s, e]) => e - s <= 8)).toBe(true)
    expect(splitLines(input, 100)).toEqual([[0, 14]])
    expect(splitLines(new Uint8Array(0))).toEqual([[0, 0]])
  })

  it('a line longer than a task takes is INVALID_INPUT naming the line', () => {
    const input = enc.encode('a\nb\nthis line is far too long\nc\n')
    expect(() => splitLines(input, 10)).toThrow(/line 3 is longer than 10 bytes/)
  })
})
