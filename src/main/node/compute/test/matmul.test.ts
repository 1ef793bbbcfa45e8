import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { WgtError } from '../../../../shared/errors.js'
import { matmulTs, matmulWasm, multiplyMatmulTask } from '../kernels/matmul.js'
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
