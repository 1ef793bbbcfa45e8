/**
 * zstd (level 3) via node:zlib, skipped when it does not pay. The decision is
 * made per segment from a sample — four 16 KiB slices spread over the segment,
 * so a header or a tail alone cannot decide — because compressing a whole
 * incompressible segment would cost more than everything else in the pipeline
 * (DESIGN.md §7: zstd is the slowest stage by far).
 */
import { constants, zstdCompressSync, zstdDecompressSync, type ZstdOptions } from 'node:zlib'
import { WgtError } from '../../../shared/errors.js'

const LEVEL = 3
const SLICES = 4
const SLICE = 16 * 1024
const SAMPLE = SLICES * SLICE
/** a sample that shrinks by less than 10% predicts a segment not worth compressing */
const MAX_SAMPLE_RATIO = 0.9
// larger output chunks than zlib's 16 KiB default: fewer buffers to allocate and concatenate
// (measured ~10% faster on incompressible segments, no change on text)
const MAX_CHUNK = 1024 * 1024

const sample = new Uint8Array(SAMPLE)

function zstdOptions (input: Uint8Array): ZstdOptions {
  return {
    chunkSize: Math.max(64 * 1024, Math.min(MAX_CHUNK, input.length)),
    pledgedSrcSize: input.length,
    params: { [constants.ZSTD_c_compressionLevel]: LEVEL }
  }
}

function zstd (input: Uint8Array): Uint8Array {
  return zstdCompressSync(input, zstdOptions(input))
}

/** Whether compressing `plain` is worth trying: always for small ones, else what a sample predicts. */
export function samplePays (plain: Uint8Array): boolean {
  if (plain.length === 0) return false
  if (plain.length <= SAMPLE) return true // small: the full attempt is the sample
  const step = Math.floor((plain.length - SLICE) / (SLICES - 1))
  for (let i = 0; i < SLICES; i++) sample.set(plain.subarray(i * step, i * step + SLICE), i * SLICE)
  return zstd(sample).length <= MAX_SAMPLE_RATIO * SAMPLE
}

export interface Packed { payload: Uint8Array, compressed: boolean }

function packed (plain: Uint8Array, out: Uint8Array): Packed {
  return out.length >= plain.length ? { payload: plain, compressed: false } : { payload: out, compressed: true }
}

/** zstd here, or `plain` itself when it does not shrink. */
export function compressHere (plain: Uint8Array): Packed {
  return packed(plain, zstd(plain))
}

/**
 * A segment's payload back to its plaintext, which must be exactly plainSize
 * bytes. The payload is the sharer's (it decrypted, so it is theirs, not
 * damage in transit), and a few KiB of zstd can expand to gigabytes: zlib
 * stops as soon as its output would pass maxOutputLength (plainSize, at most
 * MAX_SEGMENT_SIZE), so a bomb costs one segment of memory and the time to
 * produce it, never more (test/bomb.test.ts: 1 GiB of zeros in 34 KB).
 */
export function decompress (payload: Uint8Array, plainSize: number, segment: number): Uint8Array {
  let out: Uint8Array
  try {
    out = zstdDecompressSync(payload, { maxOutputLength: Math.max(1, plainSize), chunkSize: Math.max(64, Math.min(MAX_CHUNK * 4, plainSize)) })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new WgtError('INTEGRITY', `segment ${segment}: decompresses to more than its declared ${plainSize} bytes (a decompression bomb); refused`, { cause: err })
    }
    throw new WgtError('INTEGRITY', `segment ${segment}: compressed data is damaged`, { cause: err })
  }
  if (out.length !== plainSize) throw new WgtError('INTEGRITY', `segment ${segment}: decompressed to ${out.length} bytes, expected ${plainSize}`)
  return out
}
