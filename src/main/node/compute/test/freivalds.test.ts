import { describe, expect, it } from 'vitest'
import { freivalds, gamma } from '../kernels/freivalds.js'
import { matmulTs, matmulWasm } from '../kernels/matmul.js'
import type { Matrix } from '../matrix.js'
import { randomMatrix, seeded } from './helpers.js'

const K = 20

function seededBytes (seed: number): (n: number) => Uint8Array {
  const r = seeded(seed)
  return n => Uint8Array.from({ length: n }, () => Math.floor(r() * 256))
}

/** the tolerance the check allows on row i with every r_j = 1, an upper bound for any r */
function rowTolerance (a: Matrix, b: Matrix, i: number): number {
  let w = 0
  for (let k = 0; k < a.cols; k++) {
    let s = 0
    for (let j = 0; j < b.cols; j++) s += Math.abs(b.data[k * b.cols + j])
    w += Math.abs(a.data[i * a.cols + k]) * s
  }
  return 3 * gamma(a.cols + b.cols) * w
}

describe('Freivalds', () => {
  it('a correct product passes every round, from either kernel, at several shapes', () => {
    let seed = 1
    for (const [r, k, c] of [[1, 1, 1], [64, 64, 64], [17, 300, 5], [1, 200, 1], [200, 1, 200]]) {
      const a = randomMatrix(r, k, seed++)
      const b = randomMatrix(k, c, seed++)
      expect(freivalds(a, b, matmulTs(a, b), K)).toEqual({ ok: true, rounds: K })
      expect(freivalds(a, b, matmulWasm(a, b), K).ok).toBe(true)
    }
  })

  it('a product of huge- and tiny-magnitude values passes', () => {
    for (const scale of [1e140, 1e-140, 1e-300, Number.MIN_VALUE * 1e3]) {
      const a = randomMatrix(50, 80, 5, scale)
      const b = randomMatrix(80, 40, 6, scale)
      expect(freivalds(a, b, matmulWasm(a, b), K).ok, `scale ${scale}`).toBe(true)
    }
    // rows of wildly different magnitudes in the same matrix
    const a = randomMatrix(30, 30, 7)
    for (let j = 0; j < 30; j++) a.data[j] *= 1e140
    const b = randomMatrix(30, 30, 8)
    expect(freivalds(a, b, matmulWasm(a, b), K).ok).toBe(true)
  })

  it('one element changed by more than the tolerance fails (k = 20: misses with probability 2^-20)', () => {
    const a = randomMatrix(64, 64, 9)
    const b = randomMatrix(64, 64, 10)
    const good = matmulWasm(a, b)
    const r = seeded(11)
    for (let trial = 0; trial < 50; trial++) {
      const c = { ...good, data: good.data.slice() }
      const idx = Math.floor(r() * c.data.length)
      const i = Math.floor(idx / c.cols)
      // just past twice the row's tolerance: more than any honest rounding can explain
      c.data[idx] += (r() < 0.5 ? -1 : 1) * 2.01 * rowTolerance(a, b, i)
      const result = freivalds(a, b, c, K)
      expect(result.ok).toBe(false)
      expect(result.rounds).toBeLessThanOrEqual(K)
    }
  })

  it('a change within rounding is not a lie; a change far outside it is caught at any scale', () => {
    const a = randomMatrix(32, 32, 12, 1e100)
    const b = randomMatrix(32, 32, 13, 1e100)
    const c = matmulWasm(a, b)
    const ulp = c.data.slice()
    ulp[3] = ulp[3] * (1 + 2 ** -52)
    expect(freivalds(a, b, { ...c, data: ulp }, K).ok).toBe(true)
    const wrong = c.data.slice()
    wrong[3] = wrong[3] * 1.000001
    expect(freivalds(a, b, { ...c, data: wrong }, K).ok).toBe(false)
  })

  it('the error probability per round is at most 1/2: rounds are independent draws', () => {
    // one wrong element: a round catches it iff its column's bit is 1
    const a = randomMatrix(8, 8, 14)
    const b = randomMatrix(8, 8, 15)
    const c = matmulTs(a, b)
    c.data[10] += 1
    let caughtFirst = 0
    const random = seededBytes(16)
    for (let t = 0; t < 400; t++) if (freivalds(a, b, c, 1, random).ok === false) caughtFirst++
    expect(caughtFirst).toBeGreaterThan(150)
    expect(caughtFirst).toBeLessThan(250)
  })

  it('mismatched shapes are INVALID_INPUT', () => {
    const a = randomMatrix(2, 3, 1)
    const b = randomMatrix(3, 4, 2)
    expect(() => freivalds(a, b, randomMatrix(2, 3, 3), 1)).toThrow(/C 2×3 do not fit/)
  })
})
