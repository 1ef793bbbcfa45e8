/**
 * WebAssembly SIMD kernel (rs-simd.wat, nibble tables + i8x16.swizzle).
 *
 * JS buffers cannot be mapped into WASM memory, so shards stream through in
 * chunks sized to stay in L2: copy k input chunks in, run, copy the output
 * chunks out. The copy reads each byte from RAM once, which the computation
 * would have to do anyway; the multiply-accumulate then runs on cached data.
 * The instance and its memory are created once and reused (no per-call allocation).
 */
import { WgtError } from '../../../../shared/errors.js'
import { MUL_TABLE } from '../gf256.js'
import type { RsKernel } from './kernel.js'
import { RS_SIMD_WASM_BASE64 } from './rs-simd-wasm.js'

const IN_PTRS = 0
const OUT_PTRS = 1024 // 256 i32 input pointers precede it; k+m ≤ 255
const TABLES = 2048
// bytes of input + output chunks resident at once: inside L2 (512 KiB per core here); 64 KiB–1 MiB
// measured within ~8% of each other at 4+2 and 10+4, 128–512 KiB best
const WORKING_SET = 256 * 1024
const PAGE = 65536

// The WebAssembly global is not in lib ES2024 and tsconfig.node.json has no DOM
// lib; these are the few members used, typed locally rather than declared globally.
interface WasmMemory { readonly buffer: ArrayBuffer, grow: (pages: number) => number }
interface WasmApi {
  validate: (bytes: Uint8Array) => boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly

interface Exports {
  memory: WasmMemory
  combine: (nIn: number, nOut: number, tbl: number, inPtrs: number, outPtrs: number, len: number) => void
}

let wasmBytes: Uint8Array | undefined
function bytes (): Uint8Array {
  wasmBytes ??= new Uint8Array(Buffer.from(RS_SIMD_WASM_BASE64, 'base64'))
  return wasmBytes
}

/** True when this runtime validates the SIMD module (the module itself is the feature probe). */
export function wasmSimdSupported (): boolean {
  try {
    return wasmApi !== undefined && wasmApi.validate(bytes())
  } catch {
    return false
  }
}

export function createWasmKernel (): RsKernel {
  if (!wasmSimdSupported()) throw new WgtError('UNAVAILABLE', 'WebAssembly SIMD is not supported by this runtime')
  // synchronous compile is allowed off the browser main thread; the module is ~2 KB
  const api = wasmApi as WasmApi
  const instance = new api.Instance(new api.Module(bytes()), {})
  const ex = instance.exports as unknown as Exports
  let heap = new Uint8Array(ex.memory.buffer)
  let ptrs = new Uint32Array(ex.memory.buffer)
  let lastCoeffs = new Uint8Array(0)
  let lastShape = ''

  function ensure (size: number): void {
    if (heap.byteLength >= size) return
    ex.memory.grow(Math.ceil((size - heap.byteLength) / PAGE))
    // growing detaches the old views
    heap = new Uint8Array(ex.memory.buffer)
    ptrs = new Uint32Array(ex.memory.buffer)
  }

  function writeTables (coeffs: Uint8Array, nIn: number, nOut: number): void {
    const shape = `${nIn},${nOut}`
    if (shape === lastShape && sameBytes(coeffs, lastCoeffs, nIn * nOut)) return
    for (let r = 0; r < nOut; r++) {
      for (let j = 0; j < nIn; j++) {
        const base = coeffs[r * nIn + j] << 8
        const t = TABLES + (j * nOut + r) * 32
        for (let x = 0; x < 16; x++) {
          heap[t + x] = MUL_TABLE[base | x]
          heap[t + 16 + x] = MUL_TABLE[base | (x << 4)]
        }
      }
    }
    lastShape = shape
    lastCoeffs = coeffs.slice(0, nIn * nOut)
  }

  return {
    name: 'wasm',
    combine (coeffs, inputs, outputs, len) {
      const nIn = inputs.length
      const nOut = outputs.length
      if (nOut === 0 || len === 0) return
      const data = align16(TABLES + nIn * nOut * 32)
      const chunk = Math.max(16, Math.min(align16(len), Math.floor(WORKING_SET / (nIn + nOut) / 16) * 16))
      ensure(data + (nIn + nOut) * chunk)
      writeTables(coeffs, nIn, nOut)
      for (let j = 0; j < nIn; j++) ptrs[(IN_PTRS >> 2) + j] = data + j * chunk
      for (let r = 0; r < nOut; r++) ptrs[(OUT_PTRS >> 2) + r] = data + (nIn + r) * chunk
      for (let off = 0; off < len; off += chunk) {
        const n = Math.min(chunk, len - off)
        for (let j = 0; j < nIn; j++) heap.set(inputs[j].subarray(off, off + n), data + j * chunk)
        // bytes past n in the last chunk are stale; their outputs are never copied out
        ex.combine(nIn, nOut, TABLES, IN_PTRS, OUT_PTRS, align16(n))
        for (let r = 0; r < nOut; r++) {
          const at = data + (nIn + r) * chunk
          outputs[r].set(heap.subarray(at, at + n), off)
        }
      }
    }
  }
}

function align16 (n: number): number {
  return (n + 15) & ~15
}

function sameBytes (a: Uint8Array, b: Uint8Array, n: number): boolean {
  if (a.length < n || b.length !== n) return false
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false
  return true
}
