import { describe, expect, it } from 'vitest'
import { freivalds, gamma, spotCheck } from '../kernels/freivalds.js'
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
      const result = freivalds(a, b, c, K, undefined, { samples: 0 })
      expect(result).toMatchObject({ ok: false, failed: 'freivalds' })
      expect(result.rounds).toBeLessThanOrEqual(K)
    }
  })

  it('Freivalds alone: a change within rounding passes its rounds; a change far outside it is caught at any scale', () => {
    const a = randomMatrix(32, 32, 12, 1e100)
    const b = randomMatrix(32, 32, 13, 1e100)
    const c = matmulWasm(a, b)
    const ulp = c.data.slice()
    ulp[3] = ulp[3] * (1 + 2 ** -52)
    expect(freivalds(a, b, { ...c, data: ulp }, K, undefined, { samples: 0 }).ok).toBe(true)
    const wrong = c.data.slice()
    wrong[3] = wrong[3] * 1.000001
    expect(freivalds(a, b, { ...c, data: wrong }, K, undefined, { samples: 0 }).ok).toBe(false)
  })

  it('the error probability per round is at most 1/2: rounds are independent draws', () => {
    // one wrong element: a round catches it iff its column's bit is 1
    const a = randomMatrix(8, 8, 14)
    const b = randomMatrix(8, 8, 15)
    const c = matmulTs(a, b)
    c.data[10] += 1
    let caughtFirst = 0
    const random = seededBytes(16)
    for (let t = 0; t < 400; t++) if (freivalds(a, b, c, 1, random, { samples: 0 }).ok === false) caughtFirst++
    expect(caughtFirst).toBeGreaterThan(150)
    expect(caughtFirst).toBeLessThan(250)
  })

  it('a C of the wrong shape fails; factors that cannot be multiplied are INVALID_INPUT', () => {
    const a = randomMatrix(2, 3, 1)
    const b = randomMatrix(3, 4, 2)
    expect(freivalds(a, b, randomMatrix(2, 3, 3), 1)).toEqual({ ok: false, rounds: 0, failed: 'shape' })
    expect(freivalds(a, b, randomMatrix(4, 2, 3), 1)).toEqual({ ok: false, rounds: 0, failed: 'shape' })
    expect(() => freivalds(a, a, randomMatrix(2, 3, 3), 1)).toThrow(/A 2×3 and B 2×3 cannot be multiplied/)
  })

  // review M1 (/tmp/review-compute/freivalds-attack.mjs): one large column of B raised the tolerance of every column
  describe('columns of very different magnitudes (review M1)', () => {
    const n = 256
    const A = randomMatrix(n, n, 21)
    const unit = seeded(22)
    const B = { rows: n, cols: n, data: Float64Array.from({ length: n * n }, (_, i) => (unit() * 2 - 1) * ((i % n) < n / 2 ? 1e12 : 1)) }
    const C = matmulWasm(A, B)

    it('zeroing the small half of C is caught by the scaled rounds alone, and by the exact entries alone', () => {
      const lie = { ...C, data: C.data.slice() }
      for (let i = 0; i < n; i++) for (let j = n / 2; j < n; j++) lie.data[i * n + j] = 0
      const random = seededBytes(23)
      for (let t = 0; t < 20; t++) {
        expect(freivalds(A, B, lie, 10, random, { samples: 0 })).toMatchObject({ ok: false, failed: 'freivalds' })
        expect(spotCheck(A, B, lie, 64, random)).toBe(false)
        expect(freivalds(A, B, lie, 10, random).ok).toBe(false)
      }
      expect(freivalds(A, B, C, 10, random)).toEqual({ ok: true, rounds: 10 })
    })

    it('one small-column element off by 1 (|C| ~ 10) is caught by a round whose bit for its column is 1', () => {
      const B2 = { rows: n, cols: n, data: B.data.map((v, i) => (i % n) === 0 ? v : v / 1e12 * ((i % n) < n / 2 ? 1 : 1e12)) }
      const C2 = matmulWasm(A, B2)
      const lie = { ...C2, data: C2.data.slice() }
      lie.data[5 * n + 7] += 1
      const random = seededBytes(24)
      let caught = 0
      for (let t = 0; t < 200; t++) if (!freivalds(A, B2, lie, 1, random, { samples: 0 }).ok) caught++
      // ~1/2 per round (before the fix: 0)
      expect(caught).toBeGreaterThan(70)
      expect(caught).toBeLessThan(130)
    })
  })

  it('honest products pass both parts: tiny, mixed exponents, near 2^480, cancelling (freivalds-honest.mjs)', () => {
    const n = 128
    const u = seeded(30)
    const r = (): number => u() * 2 - 1
    const cases: Record<string, () => number> = {
      tiny: () => r() * 2 ** -540,
      mixed: () => r() * 2 ** (Math.floor(u() * 600) - 300),
      huge: () => r() * 2 ** 479,
      cancel: () => (u() < 0.5 ? 1e15 : -1e15) + r(),
      subnormal: () => r() * 2 ** -1000
    }
    const random = seededBytes(31)
    for (const [name, f] of Object.entries(cases)) {
      const a = { rows: n, cols: n, data: Float64Array.from({ length: n * n }, f) }
      const b = { rows: n, cols: n, data: Float64Array.from({ length: n * n }, f) }
      const c = matmulWasm(a, b)
      for (let t = 0; t < 5; t++) expect(freivalds(a, b, c, 10, random), name).toEqual({ ok: true, rounds: 10 })
      expect(spotCheck(a, b, c, 500, random), name).toBe(true)
    }
  })

  it('the exact entries see a change of one ulp, and a sign of zero', () => {
    const a = randomMatrix(16, 40, 32)
    const b = randomMatrix(40, 16, 33)
    const c = matmulTs(a, b)
    const random = seededBytes(34)
    expect(spotCheck(a, b, c, 1000, random)).toBe(true)
    const ulp = { ...c, data: c.data.map(v => v * (1 + 2 ** -52)) }
    expect(spotCheck(a, b, ulp, 1, random)).toBe(false)
    expect(freivalds(a, b, ulp, 10, random)).toEqual({ ok: false, rounds: 0, failed: 'exact' })
    // a zero row of A gives +0 entries (0 + (-0) = +0 in the kernel); -0 is another value
    const z = { ...a, data: a.data.map((v, i) => i < 40 ? 0 : v) }
    const cz = matmulTs(z, b)
    const negZero = { ...cz, data: cz.data.map((v, i) => i < 16 ? -0 : v) }
    expect(spotCheck(z, b, cz, 400, random)).toBe(true)
    expect(spotCheck(z, b, negZero, 400, random)).toBe(false)
  })
})
