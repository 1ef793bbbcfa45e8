import type { Matrix } from '../matrix.js'

/** mulberry32: a small seeded generator, so failures reproduce */
export function seeded (seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** rows×cols with elements uniform in [-scale, scale) */
export function randomMatrix (rows: number, cols: number, seed: number, scale = 1): Matrix {
  const r = seeded(seed)
  const data = new Float64Array(rows * cols)
  for (let i = 0; i < data.length; i++) data[i] = (r() * 2 - 1) * scale
  return { rows, cols, data }
}

export function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

export function sameBits (a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}
