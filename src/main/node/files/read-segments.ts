/** A file read for CES encode (share.ts). */
import { open, type FileHandle } from 'node:fs/promises'

/**
 * The file in segment-sized reads into one reused buffer, which the segmenter
 * passes on as is (all but a short last segment, which it copies): no read
 * makes garbage.
 * createReadStream allocated a fresh 1 MiB buffer per read, which the
 * segmenter then copied into its own; freed only when V8 next collected,
 * they were part of the sharer's peak RSS (issue 12). No read-ahead: a
 * segment is read from the page cache in about a millisecond, and the
 * encoder waits on placement far longer.
 * Each yielded view is valid until the next is asked for (segmenter.ts).
 */
export async function * readSegments (path: string, segmentSize: number): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r')
  try {
    const buffer = Buffer.allocUnsafeSlow(segmentSize)
    for (;;) {
      const n = await readFull(fh, buffer)
      // a plain view: Buffer's slice() would not copy
      if (n > 0) yield new Uint8Array(buffer.buffer, buffer.byteOffset, n)
      // a short read ended at the end of the file
      if (n < segmentSize) return
    }
  } finally {
    await fh.close()
  }
}

/** Fills buf from the file's current position; fewer bytes only at its end. */
async function readFull (fh: FileHandle, buf: Buffer): Promise<number> {
  let filled = 0
  while (filled < buf.length) {
    const { bytesRead } = await fh.read(buf, filled, buf.length - filled, null)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return filled
}
