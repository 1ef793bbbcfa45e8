/**
 * Checking a worker's C = A·B without recomputing the product, in two parts
 * that catch different lies.
 *
 * 1. Exact spot check (spotCheck). The kernels are bit-exact by definition
 * (matmul.ts: C[i][j] summed over k increasing, every step rounded, no FMA),
 * so `samples` random entries of C are recomputed in that order and their
 * bits compared: O(samples·K). Any entry differing in any bit is a lie; a C
 * with a fraction f of its entries wrong (by however little) passes with
 * probability (1 − f)^samples (f = 5%, 64 samples: 3.7%; f = 10%: 0.12%).
 * It cannot see a lie in a handful of entries: that is part 2's job.
 *
 * 2. Freivalds with columns scaled by powers of two. Pick a random 0/1
 * vector r, scale r_j by s_j = 2^−e_j where 2^e_j ≤ max_k |B_kj| < 2^(e_j+1)
 * (so every column of B·diag(s) has its largest element in [1, 2): a column in
 * large units no longer sets the tolerance for the small ones; review M1),
 * and compare A·(B·(s∘r)) with C·(s∘r): O(n²) per round instead of O(n³).
 * If C ≠ A·B, a round misses with probability ≤ 1/2 (the error column must
 * have r_j = 1), so k independent rounds miss with ≤ 2^-k, for an error
 * above the tolerance below.
 *
 * Float64 tolerance. Scaling by a power of two is exact (short of underflow,
 * counted in `tiny`), so Higham's bounds (Accuracy and Stability of
 * Numerical Algorithms, §3.5: |fl(x·y) − x·y| ≤ γ_n·|x|·|y| for an inner
 * product of length n, γ_n = n·u/(1 − n·u), u = 2^-53) apply to B' = B·diag(s)
 * and C' = C·diag(s). With K = A's columns, c = B's columns, and
 * w = |A|·(|B'|·r):
 *
 *   honest C':        |C' − A·B'|        ≤ γ_K·|A|·|B'|
 *   x = fl(B'·r):     |x − B'·r|         ≤ γ_c·|B'|·r
 *   y = fl(A·x):      |y − A·B'·r|       ≤ (γ_K(1 + γ_c) + γ_c)·w
 *   z = fl(C'·r):     |z − A·B'·r|       ≤ (γ_K + γ_c(1 + γ_K))·w
 *   so                |y − z|            ≤ 2(γ_K + γ_c + γ_K·γ_c)·w  <  3·γ_{K+c}·w
 *
 * The check is |y − z|_i ≤ 3·γ_{K+c}·w_i + tiny_i for every row i; the third
 * γ covers rounding in computing w itself. `tiny_i` covers underflow, which
 * Higham's bound leaves out: every product landing below the normal range is
 * off by up to 2^-1075 absolutely (sums there are exact). Counting them:
 * ≤ K per honest C_ij (scaled by s_j in z), ≤ c per x_k (carried into y by
 * |A_ik|), ≤ K in y, ≤ c in z and in w; tiny_i is twice that sum, in units of
 * 2^-1074.
 *
 * What is caught. An error e_ij in C_ij fails a round with r_j = 1 when
 * s_j·|e_ij| > 3·γ_{K+c}·w_i + tiny_i, and w_i ≤ 2·c·‖A_i‖₁ (the scaled
 * columns' elements are < 2). So, short of underflow, Freivalds catches
 * (with probability 1 − 2^-rounds) every error larger than about
 * 6·γ_{K+c}·c·‖A_i‖₁·max_k|B_kj| — relative to row i of A and column j of B
 * (~2·10^-9 of it for K = 4096, c = 256). An error smaller than that, in a
 * few entries, can pass both parts: the bound is relative to the row's and
 * column's magnitudes, not to |C_ij| itself (a C_ij far smaller than its
 * terms, by cancellation, is checked only to this absolute precision).
 * Redundant runs compared by SHA-256 are what catch those.
 *
 * With the factors' elements below 2^480 in magnitude (matrix.ts), n ≤ 4096
 * and s_j capped at 2^960, nothing computed here from an honest C can
 * overflow; a made-up C that does fails (Inf and NaN fail the comparison).
 */
import { randomBytes } from 'node:crypto'
import { WgtError } from '../../../../shared/errors.js'
import { shapeText, type Matrix } from '../matrix.js'
import { matmulWasm } from './matmul.js'

const U = 2 ** -53

/** γ_n = n·u / (1 − n·u) */
export function gamma (n: number): number {
  return (n * U) / (1 - n * U)
}

export interface FreivaldsResult {
  ok: boolean
  /** Freivalds rounds run: all of them when ok, up to and including the failing one otherwise (0: failed before them) */
  rounds: number
  /** when not ok: C has the wrong shape, an exact entry differs, or a Freivalds round failed */
  failed?: 'shape' | 'exact' | 'freivalds'
}

/** Exact entries of C recomputed by freivalds() unless told otherwise: cheap (O(64·K)) against its O(rounds·n²). */
export const DEFAULT_SPOT_SAMPLES = 64

export interface FreivaldsOptions {
  /** exact entries recomputed and compared bit for bit first (spotCheck); default DEFAULT_SPOT_SAMPLES, 0: none */
  samples?: number
}

/**
 * The full check: `samples` exact entries (spotCheck), then `rounds` rounds
 * of column-scaled Freivalds. `random(n)` gives n random bytes (default: the
 * CSPRNG; the worker whose result is checked must not be able to predict
 * what is checked). `failed` says which part failed.
 */
export function freivalds (a: Matrix, b: Matrix, c: Matrix, rounds: number,
  random: (bytes: number) => Uint8Array = n => randomBytes(n), options: FreivaldsOptions = {}): FreivaldsResult {
  if (a.cols !== b.rows) throw new WgtError('INVALID_INPUT', `Freivalds: A ${shapeText(a)} and B ${shapeText(b)} cannot be multiplied`)
  // a C of the wrong shape (a worker's made-up answer) is simply not the product
  if (c.rows !== a.rows || c.cols !== b.cols || c.data.length !== c.rows * c.cols) return { ok: false, rounds: 0, failed: 'shape' }
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new WgtError('INVALID_INPUT', `Freivalds: ${rounds} rounds`)
  const samples = options.samples ?? DEFAULT_SPOT_SAMPLES
  if (!spotCheck(a, b, c, samples, random)) return { ok: false, rounds: 0, failed: 'exact' }
  const K = a.cols
  const n = b.cols
  const factor = 3 * gamma(K + n)
  const scale = columnScales(b)
  const aAbs = new Float64Array(a.rows)
  for (let i = 0; i < a.rows; i++) {
    let s = 0
    for (let k = 0; k < K; k++) s += Math.abs(a.data[i * K + k])
    aAbs[i] = s
  }
  // All rounds at once, as products the WASM kernel computes (R: n×rounds,
  // column t holding s_j where round t's bit for column j is 1, else 0):
  // X = B·R, Xa = |B|·R, Y = A·X, W = |A|·Xa, Z = C·R. Scaling R's rows by s
  // is scaling B's and C's columns (B·diag(s)), exactly, s being a power of
  // two. Higham's bound holds for any summation order, so the kernel's is as
  // good as a loop's. Measured on a 256×1024·1024×256 block, 10 rounds: the
  // same checks as scalar TypeScript loops took 1.8× the block's own multiply.
  const R = new Float64Array(n * rounds)
  const scaleSum = new Float64Array(rounds)
  for (let t = 0; t < rounds; t++) {
    const bits = random(Math.ceil(n / 8))
    for (let j = 0; j < n; j++) {
      if (((bits[j >> 3] >> (j & 7)) & 1) === 1) {
        R[j * rounds + t] = scale[j]
        scaleSum[t] += scale[j]
      }
    }
  }
  const r = { rows: n, cols: rounds, data: R }
  const x = matmulWasm(b, r)
  const xa = matmulWasm({ rows: K, cols: n, data: absInto(0, b.data) }, r)
  const y = matmulWasm(a, x).data
  const w = matmulWasm({ rows: a.rows, cols: K, data: absInto(1, a.data) }, xa).data
  const z = matmulWasm(c, r).data
  let failedRound = 0
  for (let i = 0; i < a.rows; i++) {
    for (let t = 0; t < rounds; t++) {
      const at = i * rounds + t
      // underflow: ≤ 2^-1075 per product, counted as in the header (×2, in units of 2^-1074)
      const tiny = (K * scaleSum[t] + K + 2 * n + n * aAbs[i] + 1) * Number.MIN_VALUE
      // written so NaN (from a non-finite C) fails too
      if (!(Math.abs(y[at] - z[at]) <= factor * w[at] + tiny) && (failedRound === 0 || t + 1 < failedRound)) failedRound = t + 1
    }
  }
  if (failedRound > 0) return { ok: false, rounds: failedRound, failed: 'freivalds' }
  return { ok: true, rounds }
}

/**
 * |m| in one of two buffers kept between checks: a requester checks block
 * after block, and fresh multi-MiB arrays each time made the garbage
 * collector's pauses the larger part of a check (median 46 ms against 5 ms
 * without them, same block).
 */
const absBuffers: Float64Array[] = [new Float64Array(0), new Float64Array(0)]
function absInto (slot: 0 | 1, data: Float64Array): Float64Array {
  if (absBuffers[slot].length < data.length) absBuffers[slot] = new Float64Array(data.length)
  const out = absBuffers[slot].subarray(0, data.length)
  for (let i = 0; i < data.length; i++) out[i] = Math.abs(data[i])
  return out
}

/** Largest power-of-two scale allowed: keeps K·Σ s_j (in `tiny`) and every scaled value finite. */
const MAX_SCALE_EXPONENT = 960

/** s_j = 2^-e_j with 2^e_j ≤ max_k |B_kj| < 2^(e_j+1) (within a factor of 2: any power of two keeps the bound), 1 for a zero column. */
function columnScales (b: Matrix): Float64Array {
  const max = new Float64Array(b.cols)
  for (let k = 0; k < b.rows; k++) {
    const row = k * b.cols
    for (let j = 0; j < b.cols; j++) {
      const v = Math.abs(b.data[row + j])
      if (v > max[j]) max[j] = v
    }
  }
  const scale = new Float64Array(b.cols)
  for (let j = 0; j < b.cols; j++) {
    // a NaN or Inf in B (not a valid factor) gets scale 1: the check then fails or proves nothing, as without scaling
    const e = max[j] > 0 && Number.isFinite(max[j]) ? Math.floor(Math.log2(max[j])) : 0
    scale[j] = 2 ** Math.min(MAX_SCALE_EXPONENT, -e)
  }
  return scale
}

/**
 * Recomputes `samples` random entries of C exactly as the kernels define
 * them (k increasing, each product and sum rounded, no FMA: JavaScript never
 * fuses) and compares their bits. True when all match. Entries are drawn
 * with replacement from 48 random bits each (modulo bias < 2^-24).
 */
export function spotCheck (a: Matrix, b: Matrix, c: Matrix, samples: number,
  random: (bytes: number) => Uint8Array = n => randomBytes(n)): boolean {
  if (a.cols !== b.rows) throw new WgtError('INVALID_INPUT', `spot check: A ${shapeText(a)} and B ${shapeText(b)} cannot be multiplied`)
  if (c.rows !== a.rows || c.cols !== b.cols || c.data.length !== c.rows * c.cols) return false
  if (!Number.isSafeInteger(samples) || samples < 0) throw new WgtError('INVALID_INPUT', `spot check: ${samples} samples`)
  const K = a.cols
  const n = b.cols
  const entries = c.data.length
  for (let t = 0; t < samples; t++) {
    const r = random(6)
    const draw = ((r[0] | (r[1] << 8) | (r[2] << 16)) >>> 0) + ((r[3] | (r[4] << 8) | (r[5] << 16)) >>> 0) * 2 ** 24
    const idx = draw % entries
    const i = Math.floor(idx / n)
    const j = idx - i * n
    let s = 0
    for (let k = 0; k < K; k++) s += a.data[i * K + k] * b.data[k * n + j]
    // bit equality: Object.is tells +0 from -0; a NaN here is never honest (factors are finite, < 2^480)
    if (!Object.is(s, c.data[idx]) || Number.isNaN(s)) return false
  }
  return true
}
