/**
 * The built-in matmul kernel: C = A·B on float64, in WebAssembly SIMD
 * (matmul.wat) and in plain TypeScript, giving the same bits.
 *
 * Honest workers must produce identical bytes (results are compared by
 * SHA-256), so the order of the floating-point operations is part of the
 * kernel's definition: C[i][j] = ((0 + A[i][0]·B[0][j]) + A[i][1]·B[1][j]) + …,
 * k increasing, every product and sum rounded to float64 on its own (no
 * fused multiply-add: JavaScript never fuses, and the WASM kernel uses
 * f64x2.mul then f64x2.add, which WebAssembly defines as separately rounded).
 * Inputs are finite with |x| < 2^480 (matrix.ts, MAX_FACTOR_ABS), so no
 * Inf or NaN (whose bit patterns WebAssembly leaves open) can arise.
 */
import { endianness } from 'node:os'
import { WgtError } from '../../../../shared/errors.js'
import {
  MATRIX_HEADER_BYTES, checkFactor, matrixByteLength, parseMatrixHeader, productShape, readElements, shapeText,
  writeHeader, type Matrix
} from '../matrix.js'
import { MATMUL_WASM_BASE64 } from './matmul-wasm.js'

/** The reference kernel: i-k-j, k increasing for every C[i][j]. */
export function matmulTs (a: Matrix, b: Matrix): Matrix {
  const { rows } = a
  const inner = a.cols
  const { cols } = productShape(a, b)
  const A = a.data
  const B = b.data
  const C = new Float64Array(rows * cols)
  for (let i = 0; i < rows; i++) {
    const rowC = i * cols
    for (let k = 0; k < inner; k++) {
      const x = A[i * inner + k]
      const rowB = k * cols
      for (let j = 0; j < cols; j++) C[rowC + j] += x * B[rowB + j]
    }
  }
  return { rows, cols, data: C }
}

// The WebAssembly global is not in lib ES2024 and tsconfig.node.json has no DOM lib.
interface WasmMemory { readonly buffer: ArrayBuffer }
interface WasmApi {
  validate: (bytes: Uint8Array) => boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
  Memory: new (desc: { initial: number, maximum?: number }) => WasmMemory
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly
type MatmulFn = (a: number, b: number, c: number, rows: number, inner: number, cols: number, jb: number) => void

const PAGE = 65536
const LITTLE_ENDIAN = endianness() === 'LE'
// Columns per block: the block of B (inner × JB doubles) stays in L2 while the
// rows of A pass over it; 2 KiB of each row of C stays in L1. Measured on this
// VM at 512² (bench/compute-kernel.js): 128..512 within a few percent.
const JB = 256

let compiled: object | undefined
function wasmModule (): object {
  if (compiled !== undefined) return compiled
  const bytes = new Uint8Array(Buffer.from(MATMUL_WASM_BASE64, 'base64'))
  if (wasmApi === undefined || !wasmApi.validate(bytes)) throw new WgtError('UNAVAILABLE', 'WebAssembly SIMD is not supported by this runtime')
  compiled = new wasmApi.Module(bytes)
  return compiled
}

/**
 * A, B and C laid out in one fresh memory (created per call: a pool thread
 * must not keep a 384 MiB memory alive after a big task; a fresh memory is
 * zeroed, which is C's required start).
 */
function layout (rows: number, inner: number, cols: number): { memory: WasmMemory, fn: MatmulFn, a: number, b: number, c: number } {
  const api = wasmApi as WasmApi
  const a = 0
  const b = a + 8 * rows * inner
  const c = b + 8 * inner * cols
  const end = c + 8 * rows * cols
  const memory = new api.Memory({ initial: Math.ceil(end / PAGE) })
  const instance = new api.Instance(wasmModule(), { env: { memory } })
  return { memory, fn: (instance.exports as { matmul: MatmulFn }).matmul, a, b, c }
}

/** Float64 values of little-endian bytes at an 8-aligned offset: a view where the host is little-endian, else a copy. */
function elementsAt (mem: Uint8Array, offset: number, count: number): Float64Array {
  return LITTLE_ENDIAN ? new Float64Array(mem.buffer, offset, count) : readElements(mem, offset, count)
}

/** The WASM kernel on Matrix values (tests, bench); tasks use multiplyMatmulTask, which moves bytes. */
export function matmulWasm (a: Matrix, b: Matrix): Matrix {
  // a Float64Array over WASM memory is host-endian; WASM memory is little-endian
  if (!LITTLE_ENDIAN) throw new WgtError('UNAVAILABLE', 'matmulWasm needs a little-endian host; multiplyMatmulTask works on any')
  const shape = productShape(a, b)
  const l = layout(a.rows, a.cols, b.cols)
  const f64 = new Float64Array(l.memory.buffer)
  f64.set(a.data, l.a / 8)
  f64.set(b.data, l.b / 8)
  l.fn(l.a, l.b, l.c, a.rows, a.cols, b.cols, JB)
  return { ...shape, data: f64.slice(l.c / 8, l.c / 8 + shape.rows * shape.cols) }
}

/**
 * The matmul task: input is a WGT matrix A (r×k) followed by a WGT matrix B
 * (k×c), nothing after; output is the WGT matrix A·B (r×c). Throws WgtError
 * INVALID_INPUT for anything else (the sandbox turns it into verdict
 * 'invalid'). Both headers and the exact length are checked before the
 * memory is made.
 */
export function multiplyMatmulTask (input: Uint8Array): Uint8Array {
  const sa = parseMatrixHeader(input, 0, 'A')
  const offB = matrixByteLength(sa)
  if (input.length < offB + MATRIX_HEADER_BYTES) {
    throw new WgtError('INVALID_INPUT', `matmul input: A (${shapeText(sa)}) must be followed by B; the input is ${input.length} bytes`)
  }
  const sb = parseMatrixHeader(input, offB, 'B')
  const shape = productShape(sa, sb)
  const total = offB + matrixByteLength(sb)
  if (input.length !== total) {
    throw new WgtError('INVALID_INPUT', `matmul input: A ${shapeText(sa)} and B ${shapeText(sb)} are ${total} bytes, the input is ${input.length}`)
  }
  // WebAssembly memory is little-endian like the format: the elements go in and out as bytes
  const l = layout(sa.rows, sa.cols, sb.cols)
  const mem = new Uint8Array(l.memory.buffer)
  mem.set(input.subarray(MATRIX_HEADER_BYTES, offB), l.a)
  mem.set(input.subarray(offB + MATRIX_HEADER_BYTES, total), l.b)
  checkFactor({ ...sa, data: elementsAt(mem, l.a, sa.rows * sa.cols) }, 'A')
  checkFactor({ ...sb, data: elementsAt(mem, l.b, sb.rows * sb.cols) }, 'B')
  l.fn(l.a, l.b, l.c, sa.rows, sa.cols, sb.cols, JB)
  const out = new Uint8Array(matrixByteLength(shape))
  writeHeader(out, 0, shape)
  out.set(mem.subarray(l.c, l.c + 8 * shape.rows * shape.cols), MATRIX_HEADER_BYTES)
  return out
}
