/**
 * Memory that bulk transfers leave for V8 to collect, given back sooner.
 *
 * noteBulkBytes: a young-generation collection after every few MiB moved.
 * Every MiB a shard stream moves leaves short-lived native buffers behind:
 * TLS ciphertext copied out for the socket, TCP reads, decrypted chunks, the
 * message reassembled. Each is held by a JS wrapper of ~100 bytes, and V8
 * schedules a young collection by the wrappers' bytes, not the buffers', so
 * with the daemon's 2 MiB semi-space none ran: a loop making 64 KiB buffers
 * of garbage ran no scavenge at all, and its buffers were reclaimed only by
 * full collections of the whole heap, which V8 starts after 64 MiB of growth
 * in native memory (peak 104 MiB of buffers). A young collection after every
 * 4 MiB of such garbage kept that peak at 19 MiB and used 195 ms of CPU where
 * the full collections used 450 ms (same loop beside a retained heap, Node
 * 24). A shard stream makes about two bytes of garbage per byte moved, hence
 * a step of 2 MiB moved; 8 MiB left the holders' peak as it was.
 * Seven daemons sharing then fetching 512 MiB, same hour: holders' peak RSS
 * 190-193 -> 172 MiB, fetch CPU of all daemons 15.4-15.9 -> 13.0-13.8 s (issue 12).
 * The daemon (bin/wgt, with figures) and the desktop app (scripts/start.js)
 * run V8 with --no-separate-gc-phases: otherwise such a collection, asked for
 * while V8 marks the whole heap, finishes that marking at once on this thread.
 *
 * releaseBuffer: a message-sized buffer its owner is done with, freed at once.
 */

/** bytes moved between two young collections; one costs ~1 ms with a 2 MiB semi-space */
export const BULK_GC_STEP = 2 * 2 ** 20

type Collect = (options: { type: 'minor' }) => void

let moved = 0
let pending = false

/**
 * Counts bytes a bulk transfer sent or received; past BULK_GC_STEP, a young
 * collection runs on the next turn. It needs V8's gc(), which the daemon
 * (bin/wgt) and the desktop app (scripts/start.js) expose with --expose-gc;
 * without it this does nothing. Not exposed at run time with
 * v8.setFlagsFromString, which Node documents as able to crash the process
 * once it runs.
 */
export function noteBulkBytes (bytes: number): void {
  moved += bytes
  if (moved < BULK_GC_STEP || pending) return
  moved = 0
  const gc = (globalThis as { gc?: Collect }).gc
  if (typeof gc !== 'function') return
  pending = true
  setImmediate(() => {
    pending = false
    gc({ type: 'minor' })
  })
}

/** Buffers smaller than this are left to V8: they may be views of a transport's chunk. */
const RELEASE_MIN_BYTES = 128 * 1024
/** How much of its ArrayBuffer a released view may leave out (a message's header fields) */
const RELEASE_SLACK_BYTES = 1024

/**
 * Frees the memory behind `bytes` now, by detaching its ArrayBuffer, instead
 * of when V8 next collects the whole heap; every view of that ArrayBuffer is
 * then empty. Only for bytes the caller owns outright and is done with: a
 * large message decoded from memory of its own (ProtocolService.exchange
 * copies every response out of the transport's chunks). A small buffer, a
 * view of a larger allocation, or one that cannot be detached (WebAssembly
 * memory) is left to V8.
 * Why: a fetched 1 MiB shard becomes garbage once its segment is written,
 * and a wrapper promoted to the old generation keeps its megabyte until a
 * full collection. Freeing each fetched shard once kept, seven daemons
 * fetching 512 MiB, same hour: the fetcher's peak RSS 203-210 -> 192-194 MiB,
 * its CPU 13.0-15.9 -> 11.1-12.1 s (fewer full collections; issue 12).
 */
export function releaseBuffer (bytes: Uint8Array): void {
  const buffer = bytes.buffer
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < RELEASE_MIN_BYTES || buffer.byteLength > bytes.byteLength + RELEASE_SLACK_BYTES) return
  try {
    buffer.transfer(0)
  } catch {
    // not detachable: V8 frees it in its time
  }
}
