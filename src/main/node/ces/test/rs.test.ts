import { readFile } from 'node:fs/promises'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EXP, LOG, MUL_TABLE, inv, mul } from '../gf256.js'
import { defaultKernel, encodeParity, getKernel, reconstruct } from '../rs/index.js'
import { generatorRow, invert, recoveryCoefficients } from '../rs/matrix.js'
import { wasmSimdSupported } from '../rs/kernel-wasm.js'
import { equalBytes, randomBytesSeeded } from './helpers.js'
// @ts-expect-error plain JS build script without types
import { compileWat, renderTs } from '../../../../../scripts/build-wasm.js'

describe('GF(2^8)', () => {
  it('tables are a field: every non-zero element has an inverse and the product table matches log/exp', () => {
    for (let a = 1; a < 256; a++) {
      expect(mul(a, inv(a))).toBe(1)
      expect(EXP[LOG[a]]).toBe(a)
      for (let b = 0; b < 256; b++) expect(MUL_TABLE[(a << 8) | b]).toBe(mul(a, b))
    }
  })

  it('any k rows of the systematic Cauchy generator are invertible (MDS)', () => {
    // exhaustive over all k-subsets for small codes, sampled for wide ones
    const subsets = (n: number, k: number): number[][] => k === 0 ? [[]] : n < k ? [] : [...subsets(n - 1, k - 1).map(s => [...s, n - 1]), ...subsets(n - 1, k)]
    for (const [k, m] of [[1, 3], [3, 3], [4, 2], [5, 4]]) {
      for (const rows of subsets(k + m, k)) {
        const sub = rows.map(r => generatorRow(k, r))
        const inverse = invert(sub)
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            let v = 0
            for (let t = 0; t < k; t++) v ^= mul(inverse[i][t], sub[t][j])
            expect(v).toBe(i === j ? 1 : 0)
          }
        }
      }
    }
    fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 155 }), fc.integer(), (k, m, seed) => {
      const r = randomBytesSeeded(k + m, seed)
      const rows = [...Array(k + m).keys()].sort((a, b) => r[a] - r[b] || a - b).slice(0, k)
      expect(() => invert(rows.map(i => generatorRow(k, i)))).not.toThrow()
    }), { numRuns: 30 })
  })

  it('recovery coefficients for data shards that are present are unit rows', () => {
    expect(Array.from(recoveryCoefficients(3, [0, 1, 2], [1]))).toEqual([0, 1, 0])
  })
})

describe('Reed-Solomon kernels', () => {
  it('WebAssembly SIMD is available here, and it is the runtime choice', () => {
    expect(wasmSimdSupported()).toBe(true)
    expect(defaultKernel().name).toBe('wasm')
  })

  it('property: WASM and TypeScript kernels agree byte for byte on random data, k, m and lengths', () => {
    const wasm = getKernel('wasm')
    const ts = getKernel('ts')
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 5000 }), fc.integer(), (nIn, nOut, len, seed) => {
      const coeffs = randomBytesSeeded(nIn * nOut, seed)
      // coefficients 0 and 1 (zero and identity rows) included on purpose
      if (coeffs.length > 2) { coeffs[0] = 0; coeffs[1] = 1 }
      const inputs = Array.from({ length: nIn }, (_, j) => randomBytesSeeded(len, seed + j + 1))
      const a = Array.from({ length: nOut }, () => new Uint8Array(len).fill(0xaa))
      const b = Array.from({ length: nOut }, () => new Uint8Array(len).fill(0x55))
      wasm.combine(coeffs, inputs, a, len)
      ts.combine(coeffs, inputs, b, len)
      a.forEach((x, r) => { expect(equalBytes(x, b[r])).toBe(true) })
    }), { numRuns: 150 })
  })

  it('property: encoded parity is identical across kernels, and any k shards rebuild the rest with either', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 1, max: 3000 }), fc.integer(), (k, m, shardSize, seed) => {
      const stripes = (['wasm', 'ts'] as const).map(name => {
        const stripe = new Uint8Array((k + m) * shardSize)
        stripe.set(randomBytesSeeded(k * shardSize, seed))
        const shards = Array.from({ length: k + m }, (_, i) => stripe.subarray(i * shardSize, (i + 1) * shardSize))
        encodeParity(k, m, shards, shardSize, getKernel(name))
        return shards
      })
      stripes[0].forEach((s, i) => { expect(equalBytes(s, stripes[1][i])).toBe(true) })
      const shards = stripes[0]
      const order = [...Array(k + m).keys()].sort((a, b) => ((a * 131 + seed) & 255) - ((b * 131 + seed) & 255))
      const lost = new Set(order.slice(0, m))
      const partial = shards.map((s, i) => lost.has(i) ? null : s)
      for (const name of ['wasm', 'ts'] as const) {
        const back = reconstruct(k, partial, [...lost], shardSize, getKernel(name))
        ;[...lost].forEach((i, t) => { expect(equalBytes(back[t], shards[i])).toBe(true) })
      }
    }), { numRuns: 60 })
  })

  it('the WASM kernel handles shards larger than its working set (chunked streaming)', () => {
    const k = 10
    const m = 4
    const size = 300_007
    const stripe = new Uint8Array((k + m) * size)
    stripe.set(randomBytesSeeded(k * size, 42))
    const shards = Array.from({ length: k + m }, (_, i) => stripe.subarray(i * size, (i + 1) * size))
    const ref = shards.map(s => s.slice())
    encodeParity(k, m, shards, size, getKernel('wasm'))
    encodeParity(k, m, ref, size, getKernel('ts'))
    shards.forEach((s, i) => { expect(equalBytes(s, ref[i])).toBe(true) })
  })

  it('the committed WASM bytes are exactly what rs-simd.wat compiles to', async () => {
    const wat = await readFile(new URL('../rs/rs-simd.wat', import.meta.url), 'utf8')
    const committed = await readFile(new URL('../rs/rs-simd-wasm.ts', import.meta.url), 'utf8')
    expect(renderTs(await compileWat(wat))).toBe(committed)
  })
})
