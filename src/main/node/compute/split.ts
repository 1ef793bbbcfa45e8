/**
 * A job's input, cut into tasks. Task sizes are this node's choice, never the
 * submitter's beyond the declared limits:
 *
 * - matmul: C = A·B in blocks of MATMUL_BLOCK × MATMUL_BLOCK (smaller at the
 *   edges). The task for block (i, j) gets A's row block i (a WGT matrix
 *   bs×k) followed by B's column block j (k×bs); its output is the block of C.
 *   256 keeps a task's input at 2·256·k·8 bytes (16 MiB at k = 4096, within
 *   the worker's frame bound) and its work at 2·256²·k flops (0.5 GFLOP at
 *   k = 4096: seconds, so a lost worker costs little and the load spreads).
 *   Task inputs are built when the task is dispatched, not all up front.
 * - wasm: the input cut at newlines into pieces of at most
 *   MAX_TASK_INPUT_BYTES, each piece whole lines (the ABI's unit of work).
 */
import { webcrypto } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { MAX_TASK_INPUT_BYTES, MAX_WASM_INPUT_BYTES, MAX_MODULE_BYTES } from '../../../shared/api/compute.js'
import { WgtError } from '../../../shared/errors.js'
import { checkFactor, checkShape, decodeMatrix, encodeMatrix, productShape, readMatrixHeader, type Matrix, type MatrixShape } from './matrix.js'

export const MATMUL_BLOCK = 256

export interface Block {
  /** rows r0..r1 of C (of A), columns c0..c1 of C (of B) */
  r0: number
  r1: number
  c0: number
  c1: number
}

/** The blocks of an r×c product, row by row. */
export function matmulBlocks (shape: MatrixShape, block = MATMUL_BLOCK): Block[] {
  const out: Block[] = []
  for (let r0 = 0; r0 < shape.rows; r0 += block) {
    for (let c0 = 0; c0 < shape.cols; c0 += block) {
      out.push({ r0, r1: Math.min(r0 + block, shape.rows), c0, c1: Math.min(c0 + block, shape.cols) })
    }
  }
  return out
}

/** A's rows r0..r1 as a matrix (a view: rows are contiguous). */
export function rowBlock (a: Matrix, b: Block): Matrix {
  return { rows: b.r1 - b.r0, cols: a.cols, data: a.data.subarray(b.r0 * a.cols, b.r1 * a.cols) }
}

/** B's columns c0..c1 as a matrix (a copy: columns are strided). */
export function colBlock (m: Matrix, b: Block): Matrix {
  const w = b.c1 - b.c0
  const data = new Float64Array(m.rows * w)
  for (let i = 0; i < m.rows; i++) data.set(m.data.subarray(i * m.cols + b.c0, i * m.cols + b.c1), i * w)
  return { rows: m.rows, cols: w, data }
}

/** The input of the task for block `b`: A's row block, then B's column block, each a WGT matrix. */
export function matmulTaskInput (a: Matrix, bm: Matrix, b: Block): Uint8Array {
  const left = encodeMatrix(rowBlock(a, b))
  const right = encodeMatrix(colBlock(bm, b))
  const out = new Uint8Array(left.length + right.length)
  out.set(left, 0)
  out.set(right, left.length)
  return out
}

/** Bytes of the task input for block `b` of A (r×k) · B (k×c), without building it. */
export function matmulTaskBytes (k: number, b: Block): number {
  return 32 + 8 * k * ((b.r1 - b.r0) + (b.c1 - b.c0))
}

/** An n×n matrix of uniform random float64 in [-1, 1), from the node's CSPRNG (53 random bits each). */
export function randomMatrix (n: number): Matrix {
  checkShape(n, n)
  const data = new Float64Array(n * n)
  const words = new Uint32Array(2 * Math.min(data.length, 8192))
  for (let done = 0; done < data.length;) {
    const count = Math.min(data.length - done, words.length / 2)
    webcrypto.getRandomValues(words.subarray(0, 2 * count))
    for (let i = 0; i < count; i++) {
      // 27 + 26 bits → an integer below 2^53, exactly representable
      const x = (words[2 * i] >>> 5) * 67108864 + (words[2 * i + 1] >>> 6)
      data[done + i] = x / 2 ** 52 - 1
    }
    done += count
  }
  return { rows: n, cols: n, data }
}

/**
 * Two matrix files, A and B: both headers read and checked first (limits,
 * exact file size, A's columns = B's rows) so a hostile or mismatched header
 * is refused before either file's data is read.
 */
export async function readMatmulInputs (aPath: string, bPath: string): Promise<{ a: Matrix, b: Matrix }> {
  const ha = await readMatrixHeader(aPath)
  const hb = await readMatrixHeader(bPath)
  productShape(ha, hb)
  const a = decodeMatrix(await readFile(aPath), aPath)
  const b = decodeMatrix(await readFile(bPath), bPath)
  checkFactor(a, aPath)
  checkFactor(b, bPath)
  return { a, b }
}

/**
 * Where to cut `input` into tasks: [start, end) pieces of whole lines, each at
 * most `max` bytes. A line longer than `max` is INVALID_INPUT naming its
 * number (1-based). An empty input is one empty task: the module still runs.
 */
export function splitLines (input: Uint8Array, max = MAX_TASK_INPUT_BYTES): Array<[number, number]> {
  if (input.length === 0) return [[0, 0]]
  const out: Array<[number, number]> = []
  let start = 0
  while (start < input.length) {
    if (input.length - start <= max) { out.push([start, input.length]); break }
    // the last newline within the window ends this piece
    const cut = input.lastIndexOf(0x0a, start + max - 1)
    if (cut < start) {
      throw new WgtError('INVALID_INPUT', `input line ${countLines(input, 0, start)} is longer than ${max} bytes, the most one task takes: split it, or put fewer bytes on one line`)
    }
    out.push([start, cut + 1])
    start = cut + 1
  }
  return out
}

/** the number (1-based) of the line starting at `to` */
function countLines (input: Uint8Array, from: number, to: number): number {
  let n = 1
  for (let i = from; i < to; i++) if (input[i] === 0x0a) n++
  return n
}

/** A file's size, checked against `limit` without reading it; `what` names it in errors. */
export async function checkFileSize (path: string, limit: number, what: string): Promise<number> {
  const s = await stat(path).catch((err: unknown) => {
    throw new WgtError('INVALID_INPUT', `cannot read the ${what} ${path}: ${(err as Error).message}`, { cause: err })
  })
  if (!s.isFile()) throw new WgtError('INVALID_INPUT', `the ${what} ${path} is not a file`)
  if (s.size > limit) throw new WgtError('INVALID_INPUT', `the ${what} ${path} is ${s.size} bytes, more than the ${limit} a job takes`)
  return s.size
}

/** A file read whole after its size is checked against `limit`. */
export async function readBounded (path: string, limit: number, what: string): Promise<Uint8Array> {
  await checkFileSize(path, limit, what)
  const bytes = new Uint8Array(await readFile(path))
  // it may have grown between the two
  if (bytes.length > limit) throw new WgtError('INVALID_INPUT', `the ${what} ${path} grew past the ${limit} bytes a job takes`)
  return bytes
}

export async function readModule (path: string): Promise<Uint8Array> {
  return await readBounded(path, MAX_MODULE_BYTES, 'module')
}

export async function checkWasmInput (path: string): Promise<number> {
  return await checkFileSize(path, MAX_WASM_INPUT_BYTES, 'input')
}

export async function readWasmInput (path: string): Promise<Uint8Array> {
  return await readBounded(path, MAX_WASM_INPUT_BYTES, 'input')
}
