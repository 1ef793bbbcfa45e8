/**
 * The WGT matrix format (README, "Compute"): one float64 matrix per file or
 * per part of a task's input.
 *
 *   offset  size  field
 *   0       4     magic "WGTM"
 *   4       1     version, 1
 *   5       3     zero
 *   8       4     rows, u32 little-endian, 1..MAX_MATMUL_N
 *   12      4     cols, u32 little-endian, 1..MAX_MATMUL_N
 *   16      8·rows·cols   elements, float64 little-endian, row-major; each finite
 *
 * Every size is checked against the limits in safe integer arithmetic (each
 * dimension ≤ 4096, so rows·cols ≤ 2^24 and 8·rows·cols ≤ 2^27 are exact)
 * before anything is allocated, and the byte length must be exact. The
 * earlier system multiplied 32-bit dimensions and overflowed past its check;
 * here a dimension over the limit is refused before any product is formed.
 */
import { open } from 'node:fs/promises'
import { endianness } from 'node:os'
import { MAX_MATMUL_N, MAX_MATRIX_ELEMENTS } from '../../../shared/api/compute.js'
import { WgtError } from '../../../shared/errors.js'

export const MATRIX_HEADER_BYTES = 16
export const MATRIX_VERSION = 1
const MAGIC = [0x57, 0x47, 0x54, 0x4d] // "WGTM"

/**
 * Largest magnitude of an element of a factor of a product (2^480 ≈ 3.1e144).
 * With n ≤ 4096 = 2^12, every product a·b (≤ 2^960), every sum of them
 * (≤ 2^972) and every term of Freivalds' check with a 0/1 vector
 * (|A|·(|B|·|r|) ≤ 2^984) stays finite: no Inf or NaN ever arises, so the
 * product's bytes are the same on every worker and the check is meaningful.
 */
export const MAX_FACTOR_ABS = 2 ** 480

export interface MatrixShape { rows: number, cols: number }

/** A float64 matrix, row-major. */
export interface Matrix extends MatrixShape { data: Float64Array }

const LITTLE_ENDIAN = endianness() === 'LE'

export function shapeText (s: MatrixShape): string {
  return `${s.rows}×${s.cols}`
}

/** Bytes of a matrix in the format; the shape must already be checked (checkShape). */
export function matrixByteLength (s: MatrixShape): number {
  return MATRIX_HEADER_BYTES + 8 * s.rows * s.cols
}

/** Refuses a shape outside the limits, in safe integer arithmetic; `what` names it in the message. */
export function checkShape (rows: number, cols: number, what = 'matrix'): MatrixShape {
  for (const [name, v] of [['rows', rows], ['columns', cols]] as const) {
    if (!Number.isSafeInteger(v) || v < 1 || v > MAX_MATMUL_N) {
      throw new WgtError('INVALID_INPUT', `${what}: ${String(v)} ${name} is outside 1..${MAX_MATMUL_N}`)
    }
  }
  // both ≤ 2^12 here, so the product is exact
  if (rows * cols > MAX_MATRIX_ELEMENTS) {
    throw new WgtError('INVALID_INPUT', `${what}: ${rows}×${cols} has more than ${MAX_MATRIX_ELEMENTS} elements`)
  }
  return { rows, cols }
}

/** Reads and checks the 16-byte header at `offset`; nothing else is read or allocated. */
export function parseMatrixHeader (bytes: Uint8Array, offset = 0, what = 'matrix'): MatrixShape {
  if (!Number.isSafeInteger(offset) || offset < 0 || bytes.length - offset < MATRIX_HEADER_BYTES) {
    throw new WgtError('INVALID_INPUT', `${what}: truncated header (a WGT matrix starts with ${MATRIX_HEADER_BYTES} bytes)`)
  }
  for (let i = 0; i < 4; i++) {
    if (bytes[offset + i] !== MAGIC[i]) throw new WgtError('INVALID_INPUT', `${what}: not a WGT matrix (no "WGTM" magic)`)
  }
  if (bytes[offset + 4] !== MATRIX_VERSION) {
    throw new WgtError('INVALID_INPUT', `${what}: unsupported WGT matrix version ${bytes[offset + 4]} (this node reads version ${MATRIX_VERSION})`)
  }
  if (bytes[offset + 5] !== 0 || bytes[offset + 6] !== 0 || bytes[offset + 7] !== 0) {
    throw new WgtError('INVALID_INPUT', `${what}: reserved header bytes are not zero`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, MATRIX_HEADER_BYTES)
  return checkShape(view.getUint32(8, true), view.getUint32(12, true), what)
}

/**
 * Decodes the matrix at `offset` (default: the whole of `bytes` must be one
 * matrix). Returns it and the offset just past it.
 */
export function decodeMatrixAt (bytes: Uint8Array, offset: number, what = 'matrix'): { matrix: Matrix, end: number } {
  const shape = parseMatrixHeader(bytes, offset, what)
  const end = offset + matrixByteLength(shape)
  if (end > bytes.length) {
    throw new WgtError('INVALID_INPUT', `${what}: ${shapeText(shape)} needs ${matrixByteLength(shape)} bytes, only ${bytes.length - offset} present`)
  }
  const data = readElements(bytes, offset + MATRIX_HEADER_BYTES, shape.rows * shape.cols)
  const bad = firstNonFinite(data)
  if (bad >= 0) throw new WgtError('INVALID_INPUT', `${what}: element ${position(shape, bad)} is not a finite number`)
  return { matrix: { ...shape, data }, end }
}

export function decodeMatrix (bytes: Uint8Array, what = 'matrix'): Matrix {
  const { matrix, end } = decodeMatrixAt(bytes, 0, what)
  if (end !== bytes.length) throw new WgtError('INVALID_INPUT', `${what}: ${bytes.length - end} bytes after the matrix`)
  return matrix
}

export function encodeMatrix (m: Matrix): Uint8Array {
  checkShape(m.rows, m.cols)
  if (m.data.length !== m.rows * m.cols) throw new WgtError('INVALID_INPUT', `matrix: ${m.data.length} elements for ${shapeText(m)}`)
  const out = new Uint8Array(matrixByteLength(m))
  writeHeader(out, 0, m)
  writeElements(out, MATRIX_HEADER_BYTES, m.data)
  return out
}

export function writeHeader (out: Uint8Array, offset: number, s: MatrixShape): void {
  out.set(MAGIC, offset)
  out[offset + 4] = MATRIX_VERSION
  out.fill(0, offset + 5, offset + 8)
  const view = new DataView(out.buffer, out.byteOffset + offset, MATRIX_HEADER_BYTES)
  view.setUint32(8, s.rows, true)
  view.setUint32(12, s.cols, true)
}

/**
 * The header of a matrix file, read alone (16 bytes), with the file's size
 * checked against it: a 2^32×2^32 header is refused without reading further.
 */
export async function readMatrixHeader (path: string): Promise<MatrixShape & { bytes: number }> {
  const handle = await open(path, 'r').catch((err: unknown) => {
    throw new WgtError('INVALID_INPUT', `cannot open matrix file ${path}: ${(err as Error).message}`, { cause: err })
  })
  try {
    const head = new Uint8Array(MATRIX_HEADER_BYTES)
    const { bytesRead } = await handle.read(head, 0, MATRIX_HEADER_BYTES, 0)
    const shape = parseMatrixHeader(head.subarray(0, bytesRead), 0, path)
    const size = (await handle.stat()).size
    const bytes = matrixByteLength(shape)
    if (size !== bytes) throw new WgtError('INVALID_INPUT', `${path}: a ${shapeText(shape)} matrix is ${bytes} bytes, the file is ${size}`)
    return { ...shape, bytes }
  } finally {
    await handle.close()
  }
}

/** The shape of A·B, or INVALID_INPUT naming both shapes when A's columns are not B's rows. */
export function productShape (a: MatrixShape, b: MatrixShape): MatrixShape {
  if (a.cols !== b.rows) {
    throw new WgtError('INVALID_INPUT', `cannot multiply a ${shapeText(a)} matrix by a ${shapeText(b)} matrix: A has ${a.cols} columns, B has ${b.rows} rows`)
  }
  return checkShape(a.rows, b.cols, 'product')
}

/** Refuses a factor with an element of magnitude ≥ MAX_FACTOR_ABS (see there). */
export function checkFactor (m: Matrix, what: string): void {
  const d = m.data
  for (let i = 0; i < d.length; i++) {
    if (!(Math.abs(d[i]) < MAX_FACTOR_ABS)) {
      throw new WgtError('INVALID_INPUT', `${what}: element ${position(m, i)} = ${d[i]} is not a finite number below 2^480 in magnitude`)
    }
  }
}

export function readElements (bytes: Uint8Array, offset: number, count: number): Float64Array {
  // a copy: the source may sit at any alignment, and the matrix outlives the message it came in
  const data = new Float64Array(count)
  if (LITTLE_ENDIAN) {
    new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + count * 8))
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 8)
    for (let i = 0; i < count; i++) data[i] = view.getFloat64(i * 8, true)
  }
  return data
}

export function writeElements (out: Uint8Array, offset: number, data: Float64Array): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset)
  } else {
    const view = new DataView(out.buffer, out.byteOffset + offset, data.byteLength)
    for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i], true)
  }
}

function firstNonFinite (d: Float64Array): number {
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return i
  return -1
}

function position (s: MatrixShape, index: number): string {
  return `(${Math.floor(index / s.cols)}, ${index % s.cols})`
}
