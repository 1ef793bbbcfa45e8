/**
 * Cuts any stream of chunks into fixed-size segments through one reused
 * buffer, so memory stays at one segment however large the file or its chunks.
 */
import { WgtError } from '../../../shared/errors.js'

/**
 * Yields full segments, then the remainder; an empty source yields one empty
 * segment so every file, even an empty one, is authenticated under its key.
 * Each yielded view is valid until the consumer asks for the next one: it is
 * either the reused buffer or a view of the caller's chunk.
 */
export async function * segments (source: AsyncIterable<Uint8Array>, size: number, onRead?: (bytesRead: number) => void): AsyncGenerator<Uint8Array> {
  // allocated on the first copy: a source of segment-sized chunks (share.ts) needs it only for a short last one
  let buf: Uint8Array | undefined
  let fill = 0
  let read = 0
  let yielded = false
  for await (const chunk of source) {
    if (!(chunk instanceof Uint8Array)) throw new WgtError('INVALID_INPUT', 'CES source must yield Uint8Array chunks')
    read += chunk.length
    onRead?.(read)
    let off = 0
    while (off < chunk.length) {
      if (fill === 0 && chunk.length - off >= size) {
        // a whole segment inside one chunk (a file read in large chunks, bytes
        // already in memory) is yielded as a view of it: no copy
        yield chunk.subarray(off, off + size)
        yielded = true
        off += size
        continue
      }
      const n = Math.min(size - fill, chunk.length - off)
      buf ??= new Uint8Array(size)
      buf.set(chunk.subarray(off, off + n), fill)
      fill += n
      off += n
      if (fill === size) {
        yield buf
        yielded = true
        fill = 0
      }
    }
  }
  if (fill > 0 || !yielded) yield buf?.subarray(0, fill) ?? new Uint8Array(0)
}
