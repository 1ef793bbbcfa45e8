/**
 * Cuts any stream of chunks into fixed-size segments through one reused
 * buffer, so memory stays at one segment however large the file or its chunks.
 */
import { WgtError } from '../../../shared/errors.js'

/**
 * Yields full segments, then the remainder; an empty source yields one empty
 * segment so every file, even an empty one, is authenticated under its key.
 * Each yielded view is overwritten after the consumer asks for the next one.
 */
export async function * segments (source: AsyncIterable<Uint8Array>, size: number, onRead?: (bytesRead: number) => void): AsyncGenerator<Uint8Array> {
  const buf = new Uint8Array(size)
  let fill = 0
  let read = 0
  let yielded = false
  for await (const chunk of source) {
    if (!(chunk instanceof Uint8Array)) throw new WgtError('INVALID_INPUT', 'CES source must yield Uint8Array chunks')
    read += chunk.length
    onRead?.(read)
    let off = 0
    while (off < chunk.length) {
      const n = Math.min(size - fill, chunk.length - off)
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
  if (fill > 0 || !yielded) yield buf.subarray(0, fill)
}
