import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { matmulMemoryBytes, matmulTs, matmulWasm, multiplyMatmulTask, planMatmulTask } from '../kernels/matmul.js'
import { executeTask } from '../sandbox/execute.js'
import { decodeMatrix, encodeMatrix, type Matrix } from '../matrix.js'
import { concat, randomMatrix, sameBits, seeded } from './helpers.js'
// @ts-expect-error plain JS build script without types
import { TARGETS, buildTarget } from '../../../../../scripts/build-wasm.js'

const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [1, 7, 1], [1, 9, 13], [13, 9, 1], [5, 1, 5], [2, 3, 4], [3, 3, 3],
  [17, 31, 23], [64, 64, 64], [33, 65, 257], [257, 19, 301], [100, 600, 3]
]

describe('matmul kernels', () => {
  it('WASM and TypeScript agree bit for bit on random data, odd sizes, 1×n and n×1', () => {
    let seed = 1
    for (const [r, k, c] of SHAPES) {
      for (const scale of [1, 1e-300, 1e140]) {
        const a = randomMatrix(r, k, seed++, scale)
        const b = randomMatrix(k, c, seed++, scale)
        const ts = matmulTs(a, b)
        const wasm = matmulWasm(a, b)
        expect([wasm.rows, wasm.cols]).toEqual([r, c])
        expect(sameBits(wasm.data, ts.data), `${r}×${k}·${k}×${c} scale ${scale}`).toBe(true)
      }
    }
  })

  it('agrees past the size where the WASM memory is made per call (B of 69 MB), and after it, with a kept memory reused', () => {
    const a = randomMatrix(2, 4096, 101)
    const b = randomMatrix(4096, 2100, 102)
    expect(sameBits(matmulWasm(a, b).data, matmulTs(a, b).data)).toBe(true)
    // a reused memory holds the last product: C must be zeroed again
    const x = randomMatrix(30, 20, 103)
    const y = randomMatrix(20, 10, 104)
    const first = matmulWasm(x, y)
    expect(sameBits(matmulWasm(x, y).data, first.data)).toBe(true)
    expect(sameBits(first.data, matmulTs(x, y).data)).toBe(true)
  })

  it('sums over k in increasing order, each step rounded (no reordering, no fused multiply-add)', () => {
    // 1 + 2^-53 + 2^-53: left to right it stays 1; any other grouping gives 1 + 2^-52
    const a: Matrix = { rows: 1, cols: 3, data: new Float64Array([1, 2 ** -53, 2 ** -53]) }
    const b: Matrix = { rows: 3, cols: 2, data: new Float64Array([1, 1, 1, 1, 1, 1]) }
    expect(Array.from(matmulTs(a, b).data)).toEqual([1, 1])
    expect(Array.from(matmulWasm(a, b).data)).toEqual([1, 1])
    // x·x − p with p = fl(x·x): a fused multiply-add would give the rounding error, not 0
    const x = 1 + 2 ** -30
    const p = x * x
    const f: Matrix = { rows: 1, cols: 2, data: new Float64Array([x, -p]) }
    const g: Matrix = { rows: 2, cols: 2, data: new Float64Array([x, x, 1, 1]) }
    expect(Array.from(matmulWasm(f, g).data)).toEqual([0, 0])
    // −0 as the only product: 0 + (−0) is +0 in both
    const z = matmulWasm({ rows: 1, cols: 1, data: new Float64Array([-1]) }, { rows: 1, cols: 1, data: new Float64Array([0]) })
    expect(Object.is(z.data[0], 0)).toBe(true)
  })

  it('the committed WASM bytes are exactly what matmul.wat compiles to', async () => {
    const target = (TARGETS as Array<{ dir: string, out: string, wat: string }>).find(t => t.wat === 'matmul.wat')
    const committed = await readFile(new URL('../kernels/matmul-wasm.ts', import.meta.url), 'utf8')
    expect(await buildTarget(target)).toBe(committed)
  })
})

describe('multiplyMatmulTask', () => {
  // review M5: a 64 KiB input (4096×1 · 1×4096) asked for a 128 MiB product and ~280 MiB before any check
  it('refuses a product over the output limit or a layout over the memory cap from the headers, before the kernel starts', async () => {
    const ones = (r: number, c: number): Uint8Array => encodeMatrix({ rows: r, cols: c, data: new Float64Array(r * c).fill(1) })
    const tall = concat(ones(4096, 1), ones(1, 4096))
    expect(planMatmulTask(tall)).toMatchObject({ outputBytes: 16 + 8 * 4096 * 4096, memoryBytes: matmulMemoryBytes(4096, 1, 4096) })
    let started = false
    const onStart = (): void => { started = true }
    expect(await executeTask({ kernel: 'matmul', input: tall }, { timeoutMs: 60_000, memoryBytes: 65536 }, onStart))
      .toMatchObject({ ok: false, verdict: 'invalid', message: expect.stringMatching(/4096×4096 is 134217744 bytes, over the 16777216-byte limit/) })
    expect(() => multiplyMatmulTask(tall)).toThrow(/over the 16777216-byte limit/)
    // 512×512 · 512×512: 6 MiB of memory, refused under a 4 MiB cap, run under 8 MiB
    const square = concat(ones(512, 512), ones(512, 512))
    expect(await executeTask({ kernel: 'matmul', input: square }, { timeoutMs: 60_000, memoryBytes: 4 * 2 ** 20 }, onStart))
      .toMatchObject({ ok: false, verdict: 'memory', message: expect.stringMatching(/needs 6307840 bytes of memory, over the task's cap of 4194304/) })
    expect(started).toBe(false)
    const ok = await executeTask({ kernel: 'matmul', input: square }, { timeoutMs: 60_000, memoryBytes: 8 * 2 ** 20 }, onStart)
    expect(started).toBe(true)
    expect(ok.ok && decodeMatrix(ok.output).data.every(v => v === 512)).toBe(true)
  })

  it('returns the WGT product of A then B', () => {
    const a = randomMatrix(9, 4, 11)
    const b = randomMatrix(4, 6, 12)
    const out = decodeMatrix(multiplyMatmulTask(concat(encodeMatrix(a), encodeMatrix(b))))
    expect([out.rows, out.cols]).toEqual([9, 6])
    expect(sameBits(out.data, matmulTs(a, b).data)).toBe(true)
  })

  it('refuses malformed input with INVALID_INPUT', () => {
    const a = encodeMatrix(randomMatrix(3, 4, 13))
    const b = encodeMatrix(randomMatrix(4, 2, 14))
    const bad = (input: Uint8Array, text: RegExp): void => {
      let err: unknown
      try { multiplyMatmulTask(input) } catch (e) { err = e }
      expect(err).toBeInstanceOf(WgtError)
      expect((err as WgtError).code).toBe('INVALID_INPUT')
      expect((err as WgtError).message).toMatch(text)
    }
    bad(a, /must be followed by B/)
    bad(concat(a, a), /cannot multiply a 3×4 matrix by a 3×4 matrix/)
    bad(concat(a, b, new Uint8Array(1)), /are 192 bytes, the input is 193/)
    bad(concat(a, b.subarray(0, b.length - 8)), /the input is 184/)
    const hostile = b.slice()
    new DataView(hostile.buffer).setUint32(12, 0xffffffff, true)
    bad(concat(a, hostile), /B: 4294967295 columns/)
    const huge = randomMatrix(3, 4, 15)
    huge.data[5] = 2 ** 481
    bad(concat(encodeMatrix(huge), b), /A: element \(1, 1\).*below 2\^480/)
    const nan = new Uint8Array(a)
    new DataView(nan.buffer).setFloat64(16, Number.NaN, true)
    bad(concat(nan, b), /A: element \(0, 0\)/)
  })

  it('is deterministic: the same input gives the same bytes', () => {
    const r = seeded(99)
    const input = concat(encodeMatrix(randomMatrix(40, 50, Math.floor(r() * 1e9))), encodeMatrix(randomMatrix(50, 30, 7)))
    expect(Buffer.from(multiplyMatmulTask(input)).equals(Buffer.from(multiplyMatmulTask(input)))).toBe(true)
  })
})
