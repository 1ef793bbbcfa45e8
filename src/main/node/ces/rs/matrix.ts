/**
 * The systematic generator matrix and the decode matrices derived from it.
 *
 * Rows 0..k-1 are the identity (data shards are the data itself); rows
 * k..k+m-1 form a Cauchy matrix 1/(x_i + y_j) with x_i = k+i, y_j = j. Every
 * square submatrix of a Cauchy matrix is invertible, which is exactly what
 * makes any k rows of [I; C] invertible: any k of the k+m shards rebuild.
 * k+m ≤ 255 keeps all x_i and y_j distinct bytes.
 */
import { inv, mul } from '../gf256.js'

export type Matrix = Uint8Array[]

export function generatorRow (k: number, row: number): Uint8Array {
  const r = new Uint8Array(k)
  if (row < k) {
    r[row] = 1
  } else {
    for (let j = 0; j < k; j++) r[j] = inv(row ^ j)
  }
  return r
}

/** The parity rows (C), flattened row-major: coefficient of data shard j in parity p at [p*k + j]. */
export function parityCoefficients (k: number, m: number): Uint8Array {
  const out = new Uint8Array(k * m)
  for (let p = 0; p < m; p++) out.set(generatorRow(k, k + p), p * k)
  return out
}

/** Gauss-Jordan inverse; throws if singular (cannot happen for rows of a Cauchy-systematic generator). */
export function invert (a: Matrix): Matrix {
  const n = a.length
  const w = a.map(r => r.slice())
  const out: Matrix = a.map((_, i) => { const r = new Uint8Array(n); r[i] = 1; return r })
  for (let col = 0; col < n; col++) {
    let pivot = col
    while (pivot < n && w[pivot][col] === 0) pivot++
    if (pivot === n) throw new RangeError('singular matrix')
    if (pivot !== col) {
      [w[pivot], w[col]] = [w[col], w[pivot]];
      [out[pivot], out[col]] = [out[col], out[pivot]]
    }
    const f = inv(w[col][col])
    for (let j = 0; j < n; j++) { w[col][j] = mul(w[col][j], f); out[col][j] = mul(out[col][j], f) }
    for (let i = 0; i < n; i++) {
      const g = w[i][col]
      if (i === col || g === 0) continue
      for (let j = 0; j < n; j++) { w[i][j] ^= mul(g, w[col][j]); out[i][j] ^= mul(g, out[col][j]) }
    }
  }
  return out
}

/**
 * Coefficients that produce shard `want[t]` directly from the shards listed in
 * `have` (exactly k indexes): row_t = G[want[t]] · (G[have])^-1, flattened as
 * [t*k + s]. Used both to recover data shards and to rebuild parity for repair.
 */
export function recoveryCoefficients (k: number, have: number[], want: number[]): Uint8Array {
  const sub = have.map(i => generatorRow(k, i))
  const subInv = invert(sub)
  const out = new Uint8Array(want.length * k)
  want.forEach((w, t) => {
    const g = generatorRow(k, w)
    for (let s = 0; s < k; s++) {
      let acc = 0
      for (let j = 0; j < k; j++) acc ^= mul(g[j], subInv[j][s])
      out[t * k + s] = acc
    }
  })
  return out
}
