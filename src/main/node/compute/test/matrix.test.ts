import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_MATMUL_N } from '../../../../shared/api/compute.js'
import { WgtError } from '../../../../shared/errors.js'
import { MATRIX_HEADER_BYTES, checkShape, decodeMatrix, decodeMatrixAt, encodeMatrix, productShape, readMatrixHeader } from '../matrix.js'
import { randomMatrix, sameBits } from './helpers.js'

function header (rows: number, cols: number, patch: (h: Uint8Array) => void = () => {}): Uint8Array {
  const h = new Uint8Array(MATRIX_HEADER_BYTES)
  h.set([0x57, 0x47, 0x54, 0x4d, 1])
  const v = new DataView(h.buffer)
  v.setUint32(8, rows, true)
  v.setUint32(12, cols, true)
  patch(h)
  return h
}

function invalid (fn: () => unknown, text: RegExp): void {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(WgtError)
    expect((err as WgtError).code).toBe('INVALID_INPUT')
    expect((err as WgtError).message).toMatch(text)
    return
  }
  throw new Error('expected INVALID_INPUT')
}

describe('WGT matrix format', () => {
  it('round-trips exactly, with the documented header', () => {
    const m = randomMatrix(3, 5, 1, 1e10)
    m.data[0] = -0
    m.data[1] = Number.MIN_VALUE
    const bytes = encodeMatrix(m)
    expect(bytes.length).toBe(16 + 8 * 15)
    expect(Array.from(bytes.subarray(0, 16))).toEqual(Array.from(header(3, 5)))
    const back = decodeMatrix(bytes)
    expect([back.rows, back.cols]).toEqual([3, 5])
    expect(sameBits(back.data, m.data)).toBe(true)
  })

  it('refuses hostile headers before allocating', () => {
    invalid(() => decodeMatrix(header(0xffffffff, 0xffffffff)), /4294967295 rows is outside 1\.\.4096/)
    invalid(() => decodeMatrix(header(2 ** 31, 1)), /2147483648 rows/)
    invalid(() => decodeMatrix(header(1, 0xffffffff)), /4294967295 columns/)
    invalid(() => decodeMatrix(header(0, 5)), /0 rows/)
    invalid(() => decodeMatrix(header(5, 0)), /0 columns/)
    invalid(() => decodeMatrix(header(MAX_MATMUL_N + 1, 1)), /4097 rows/)
    invalid(() => checkShape(-1, 3), /-1 rows/)
    invalid(() => checkShape(1.5, 3), /1\.5 rows/)
  })

  it('refuses wrong magic, version, reserved bytes, truncation and extra bytes', () => {
    const good = encodeMatrix(randomMatrix(2, 2, 2))
    invalid(() => decodeMatrix(good.subarray(0, 10)), /truncated header/)
    invalid(() => decodeMatrix(good.subarray(0, good.length - 1)), /2×2 needs 48 bytes, only 47 present/)
    invalid(() => decodeMatrix(new Uint8Array([...good, 0])), /1 bytes after the matrix/)
    invalid(() => decodeMatrix(header(2, 2, h => { h[0] = 0x58 })), /no "WGTM" magic/)
    invalid(() => decodeMatrix(header(2, 2, h => { h[4] = 2 })), /unsupported WGT matrix version 2/)
    invalid(() => decodeMatrix(header(2, 2, h => { h[6] = 1 })), /reserved header bytes/)
  })

  it('refuses NaN and infinities, naming the element', () => {
    const m = randomMatrix(2, 3, 3)
    m.data[4] = Number.NaN
    invalid(() => decodeMatrix(encodeMatrix(m)), /element \(1, 1\) is not a finite number/)
    m.data[4] = -Infinity
    invalid(() => decodeMatrix(encodeMatrix(m)), /element \(1, 1\)/)
  })

  it('decodes one matrix after another', () => {
    const a = encodeMatrix(randomMatrix(2, 3, 4))
    const b = encodeMatrix(randomMatrix(3, 1, 5))
    const both = new Uint8Array([...a, ...b])
    const first = decodeMatrixAt(both, 0, 'A')
    expect(first.end).toBe(a.length)
    expect(decodeMatrixAt(both, first.end, 'B').matrix.cols).toBe(1)
  })

  it('mismatched dimensions in a product are INVALID_INPUT naming both shapes', () => {
    invalid(() => productShape({ rows: 3, cols: 4 }, { rows: 5, cols: 2 }), /cannot multiply a 3×4 matrix by a 5×2 matrix/)
    expect(productShape({ rows: 3, cols: 4 }, { rows: 4, cols: 2 })).toEqual({ rows: 3, cols: 2 })
  })
})

describe('readMatrixHeader', () => {
  let dir = ''
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'wgt-matrix-')) })
  afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

  it('reads the shape of a good file', async () => {
    const path = join(dir, 'good.wgtm')
    await writeFile(path, encodeMatrix(randomMatrix(7, 3, 6)))
    expect(await readMatrixHeader(path)).toEqual({ rows: 7, cols: 3, bytes: 16 + 8 * 21 })
  })

  it('refuses a 2^32×2^32 header from the header alone, and a size that does not match', async () => {
    const path = join(dir, 'huge.wgtm')
    await writeFile(path, header(0xffffffff, 0xffffffff))
    // a sparse 1 TiB file: only the header is ever read
    await truncate(path, 2 ** 40)
    await expect(readMatrixHeader(path)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/4294967295 rows/) })
    const short = join(dir, 'short.wgtm')
    await writeFile(short, header(4, 4))
    await expect(readMatrixHeader(short)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/4×4 matrix is 144 bytes, the file is 16/) })
    await expect(readMatrixHeader(join(dir, 'missing'))).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })
})
