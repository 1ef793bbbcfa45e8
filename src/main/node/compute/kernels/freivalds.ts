/**
 * Freivalds' check that C = A·B without recomputing the product: pick a
 * random 0/1 vector r and compare A·(B·r) with C·r, O(n²) per round instead
 * of O(n³). If C ≠ A·B, a round misses with probability ≤ 1/2 (the error
 * column must have r_j = 1), so k independent rounds miss with ≤ 2^-k.
 *
 * Float64 tolerance. C is computed in floating point, so A·(B·r) and C·r
 * differ even for an honest C; the check allows the forward error bound of
 * the three products involved (Higham, Accuracy and Stability of Numerical
 * Algorithms, §3.5: |fl(x·y) − x·y| ≤ γ_n·|x|·|y| for an inner product of
 * length n, γ_n = n·u/(1 − n·u), u = 2^-53). With K = A's columns and c =
 * B's columns, and w = |A|·(|B|·|r|) (r ≥ 0 so |r| = r):
 *
 *   honest C:         |C − A·B|          ≤ γ_K·|A|·|B|
 *   x = fl(B·r):      |x − B·r|          ≤ γ_c·|B|·|r|
 *   y = fl(A·x):      |y − A·B·r|        ≤ (γ_K(1 + γ_c) + γ_c)·w
 *   z = fl(C·r):      |z − A·B·r|        ≤ (γ_K + γ_c(1 + γ_K))·w
 *   so                |y − z|            ≤ 2(γ_K + γ_c + γ_K·γ_c)·w  <  3·γ_{K+c}·w
 *
 * The check is |y − z|_i ≤ 3·γ_{K+c}·w_i + tiny for every row i; the third
 * γ covers rounding in computing w itself. `tiny` covers underflow, which
 * Higham's bound leaves out: a product that lands below the normal range is
 * off by up to 2^-1075 absolutely, and there are at most (K+1)(c+1) of them
 * behind one row's comparison; tiny = 2·(K+1)(c+1)·2^-1074, four times that.
 * A wrong element of C is caught when its error exceeds the tolerance of
 * its row (about 3·(K+c)·2^-53 relative to w_i: ~10^-12 for n = 1024).
 *
 * With the factors' elements below 2^480 in magnitude (matrix.ts) and
 * n ≤ 4096, nothing here can overflow.
 */
import { randomBytes } from 'node:crypto'
import { WgtError } from '../../../../shared/errors.js'
import { shapeText, type Matrix } from '../matrix.js'

const U = 2 ** -53

/** γ_n = n·u / (1 − n·u) */
export function gamma (n: number): number {
  return (n * U) / (1 - n * U)
}

export interface FreivaldsResult {
  ok: boolean
  /** rounds run: all of them when ok, up to and including the failing one otherwise */
  rounds: number
}

/**
 * `random(n)` gives n random bytes (default: the CSPRNG; the worker whose
 * result is checked must not be able to predict r).
 */
export function freivalds (a: Matrix, b: Matrix, c: Matrix, rounds: number,
  random: (bytes: number) => Uint8Array = n => randomBytes(n)): FreivaldsResult {
  if (a.cols !== b.rows || c.rows !== a.rows || c.cols !== b.cols) {
    throw new WgtError('INVALID_INPUT', `Freivalds: A ${shapeText(a)}, B ${shapeText(b)} and C ${shapeText(c)} do not fit C = A·B`)
  }
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new WgtError('INVALID_INPUT', `Freivalds: ${rounds} rounds`)
  const K = a.cols
  const n = b.cols
  const factor = 3 * gamma(K + n)
  const tiny = 2 * (K + 1) * (n + 1) * Number.MIN_VALUE
  const r = new Float64Array(n)
  const x = new Float64Array(K)
  const xa = new Float64Array(K)
  for (let round = 1; round <= rounds; round++) {
    const bits = random(Math.ceil(n / 8))
    for (let j = 0; j < n; j++) r[j] = (bits[j >> 3] >> (j & 7)) & 1
    // x = B·r and |B|·r
    for (let k = 0; k < K; k++) {
      let s = 0
      let sa = 0
      const row = k * n
      for (let j = 0; j < n; j++) {
        if (r[j] === 0) continue
        const v = b.data[row + j]
        s += v
        sa += Math.abs(v)
      }
      x[k] = s
      xa[k] = sa
    }
    for (let i = 0; i < a.rows; i++) {
      // y = A·x, w = |A|·|x|a, z = C·r
      let y = 0
      let w = 0
      const rowA = i * K
      for (let k = 0; k < K; k++) {
        const v = a.data[rowA + k]
        y += v * x[k]
        w += Math.abs(v) * xa[k]
      }
      let z = 0
      const rowC = i * n
      for (let j = 0; j < n; j++) if (r[j] !== 0) z += c.data[rowC + j]
      // written so NaN (from a non-finite C) fails too
      if (!(Math.abs(y - z) <= factor * w + tiny)) return { ok: false, rounds: round }
    }
  }
  return { ok: true, rounds }
}
