/**
 * Systematic Reed-Solomon k+m over GF(2^8): encode parity, and re-create any
 * shard from any k others. The kernel is chosen once at runtime (WASM SIMD
 * when the runtime validates it, else TypeScript); tests and the benchmark
 * force one with setDefaultKernel.
 */
import { WgtError } from '../../../../shared/errors.js'
import type { KernelName, RsKernel } from './kernel.js'
import { createWasmKernel, wasmSimdSupported } from './kernel-wasm.js'
import { tsKernel } from './kernel-ts.js'
import { parityCoefficients, recoveryCoefficients } from './matrix.js'

export type { KernelName, RsKernel } from './kernel.js'

let wasm: RsKernel | undefined
let chosen: RsKernel | undefined

export function getKernel (name: KernelName): RsKernel {
  if (name === 'ts') return tsKernel
  wasm ??= createWasmKernel()
  return wasm
}

export function defaultKernel (): RsKernel {
  chosen ??= wasmSimdSupported() ? getKernel('wasm') : tsKernel
  return chosen
}

/** 'auto' returns to the runtime choice. */
export function setDefaultKernel (name: KernelName | 'auto'): void {
  chosen = name === 'auto' ? undefined : getKernel(name)
}

const parityCache = new Map<string, Uint8Array>()
const recoveryCache = new Map<string, Uint8Array>()
const RECOVERY_CACHE_MAX = 256

/** Fills shards[k..k+m) (each shardSize bytes) from shards[0..k). */
export function encodeParity (k: number, m: number, shards: Uint8Array[], shardSize: number, kernel = defaultKernel()): void {
  if (m === 0) return
  const key = `${k},${m}`
  let coeffs = parityCache.get(key)
  if (coeffs === undefined) {
    coeffs = parityCoefficients(k, m)
    parityCache.set(key, coeffs)
  }
  kernel.combine(coeffs, shards.slice(0, k), shards.slice(k, k + m), shardSize)
}

/**
 * Re-creates the shards listed in `want` from the first k present entries of
 * `shards` (length k+m, null = missing or rejected); data shards are preferred
 * as sources because their coefficient rows are sparse. Returns new buffers in
 * the order of `want`. Throws INTEGRITY when fewer than k are present.
 */
export function reconstruct (k: number, shards: Array<Uint8Array | null>, want: number[], shardSize: number, kernel = defaultKernel()): Uint8Array[] {
  const have: number[] = []
  for (let i = 0; i < shards.length && have.length < k; i++) if (shards[i] !== null) have.push(i)
  if (have.length < k) throw new WgtError('INTEGRITY', `only ${have.length} of ${k} shards available`)
  if (want.length === 0) return []
  const key = `${k}|${have.join(',')}|${want.join(',')}`
  let coeffs = recoveryCache.get(key)
  if (coeffs === undefined) {
    coeffs = recoveryCoefficients(k, have, want)
    if (recoveryCache.size >= RECOVERY_CACHE_MAX) recoveryCache.delete(recoveryCache.keys().next().value as string)
    recoveryCache.set(key, coeffs)
  }
  const outputs = want.map(() => new Uint8Array(shardSize))
  kernel.combine(coeffs, have.map(i => shards[i] as Uint8Array), outputs, shardSize)
  return outputs
}
