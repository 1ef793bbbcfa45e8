/**
 * SHA-256 of a segment's shards on a worker thread, in place: the shards'
 * ArrayBuffers are transferred to the worker and back (ownership moves, no byte
 * is copied), so the encoder's thread seals the next segment and hashes the
 * plaintext meanwhile. WebCrypto's digest, used before, runs on libuv's pool
 * but first copies its input on the calling thread: for the 6 MiB of shards of
 * a 4 MiB segment that copy took 1.7–3.8 ms of this thread, about as long as
 * hashing them here (3.7 ms), so little work actually left it (best of 20, 6 × 1 MiB).
 *
 * Up to WORKERS workers per process, started on demand, each held (ref) only
 * while it has a job so none keeps the process alive, all terminated after
 * IDLE_MS without jobs. A worker that dies fails the jobs it held; the next
 * job starts a new one.
 */
import { hash } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { WgtError } from '../../../shared/errors.js'

/** Segments whose shards total less than this are hashed on the calling thread: starting the
 * worker (~20–40 ms once) would cost a small file's time to a link more than
 * hashing ~1.5 ms of shards here saves. */
export const OFF_THREAD_MIN_BYTES = 4 * 2 ** 20
const IDLE_MS = 15_000
const DIGEST_BYTES = 32

// CommonJS, evaluated by the worker: no file to find beside a bundle.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { hash } = require('node:crypto')
parentPort.on('message', ({ id, buffers, size }) => {
  try {
    const digests = new Uint8Array(${DIGEST_BYTES} * buffers.length)
    buffers.forEach((b, i) => digests.set(hash('sha256', new Uint8Array(b, 0, size), 'buffer'), ${DIGEST_BYTES} * i))
    parentPort.postMessage({ id, buffers, digests }, [...buffers, digests.buffer])
  } catch (err) {
    parentPort.postMessage({ id, buffers, error: String(err && err.message || err) }, buffers)
  }
})
`

export interface HashedShards {
  /** the same memory, owned by this thread again (the buffers passed in are detached) */
  buffers: ArrayBuffer[]
  /** 32 bytes per shard, the digest of shard i at 32·i */
  digests: Uint8Array
}

interface Job { resolve: (r: HashedShards) => void, reject: (e: Error) => void }

interface Hasher { worker: Worker, jobs: Map<number, Job> }

/**
 * One. The encoder may have two segments waiting (one delivered, one just
 * sealed), but a segment's shards hash in ~4 ms where a segment takes ~100 ms to
 * place, so the second waits little. A worker is a V8 isolate and a Node
 * environment: a process hashing 6 MiB stripes grew 55 -> 76 MiB RSS with
 * one worker and 55 -> 88 MiB with two (Node 24, the daemon's V8 flags);
 * issue 12 bounds a daemon's peak at 200 MiB.
 */
const WORKERS = 1
/**
 * V8 collects an isolate's whole heap, in its memory-reducing mode, whenever
 * the ArrayBuffers it holds pass half its old-generation limit. With a limit
 * of 12 MiB that was every 6 MiB stripe a worker received: one full
 * collection per segment, 68 while sharing 256 MiB, and V8's GC threads then
 * used more of the sharer's CPU than the hashing (--trace-gc; 200 jobs of
 * 6 × 1 MiB: 1.74–2.00 s of CPU, 0.81 s with a limit of 16). So a message
 * carries at most MESSAGE_MAX_BYTES, half of the 16 MiB that 32 allows: a
 * 4+2 stripe still goes in one (split in two, text encoded ~4% slower in
 * bench/ces.js, four interleaved runs).
 */
const WORKER_OLD_SPACE_MB = 32
export const MESSAGE_MAX_BYTES = 8 * 2 ** 20
const hashers: Hasher[] = []
let nextId = 0
let idleTimer: NodeJS.Timeout | undefined

/**
 * Digests of the first `size` bytes of each buffer (a segment's shards).
 * Small segments are hashed here and the buffers returned as they are;
 * large ones move to a worker, so the buffers are detached until the promise
 * settles, and must not be shared with any other view holder meanwhile.
 */
export async function hashShards (buffers: ArrayBuffer[], size: number): Promise<HashedShards> {
  if (size * buffers.length < OFF_THREAD_MIN_BYTES) return { buffers, digests: hashHere(buffers, size) }
  const parts = await Promise.all(inMessages(buffers).map(async group => await hashOffThread(group, size)))
  if (parts.length === 1) return parts[0]
  const digests = new Uint8Array(DIGEST_BYTES * buffers.length)
  let at = 0
  for (const p of parts) { digests.set(p.digests, at); at += p.digests.length }
  return { buffers: parts.flatMap(p => p.buffers), digests }
}

/** The buffers in order, in groups of at most MESSAGE_MAX_BYTES (or of one buffer, when that alone is larger). */
function inMessages (buffers: ArrayBuffer[]): ArrayBuffer[][] {
  const groups: ArrayBuffer[][] = []
  let group: ArrayBuffer[] = []
  let bytes = 0
  for (const b of buffers) {
    if (group.length > 0 && bytes + b.byteLength > MESSAGE_MAX_BYTES) { groups.push(group); group = []; bytes = 0 }
    group.push(b)
    bytes += b.byteLength
  }
  if (group.length > 0) groups.push(group)
  return groups
}

async function hashOffThread (buffers: ArrayBuffer[], size: number): Promise<HashedShards> {
  const h = leastBusy()
  const id = nextId++
  return await new Promise<HashedShards>((resolve, reject) => {
    h.jobs.set(id, { resolve, reject })
    if (h.jobs.size === 1) h.worker.ref()
    clearTimeout(idleTimer)
    h.worker.postMessage({ id, buffers, size }, buffers)
  })
}

function hashHere (buffers: ArrayBuffer[], size: number): Uint8Array {
  const digests = new Uint8Array(DIGEST_BYTES * buffers.length)
  buffers.forEach((b, i) => digests.set(hash('sha256', new Uint8Array(b, 0, size), 'buffer'), DIGEST_BYTES * i))
  return digests
}

function leastBusy (): Hasher {
  let best: Hasher | undefined
  for (const h of hashers) if (best === undefined || h.jobs.size < best.jobs.size) best = h
  if (best !== undefined && (best.jobs.size === 0 || hashers.length >= WORKERS)) return best
  return start()
}

function start (): Hasher {
  // A worker takes the process's V8 flags, the daemon's 48 MiB initial old
  // space included, so its few MiB of heap grew to that before a collection:
  // an empty worker added 17.8 MiB RSS, one hashing 6 × 1 MiB shards 21.0,
  // and 17.0 with a limit of 12 MiB (Node 24, the daemon's flags; 4 MiB ran
  // out of heap); 16 or 32 (WORKER_OLD_SPACE_MB) added 1.8 MiB to 12's peak
  // in the 200-job loop above. Its heap holds nothing between jobs, so it does not grow with work.
  const worker = new Worker(WORKER_SOURCE, { eval: true, name: 'wgt-ces-hash', resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_SPACE_MB } })
  const h: Hasher = { worker, jobs: new Map() }
  worker.unref()
  worker.on('message', (msg: { id: number, buffers: ArrayBuffer[], digests?: Uint8Array, error?: string }) => {
    const job = h.jobs.get(msg.id)
    if (job === undefined) return
    h.jobs.delete(msg.id)
    if (h.jobs.size === 0) {
      worker.unref()
      if (hashers.every(x => x.jobs.size === 0)) {
        clearTimeout(idleTimer)
        idleTimer = setTimeout(() => { if (hashers.every(x => x.jobs.size === 0)) void stopHashWorker() }, IDLE_MS)
        idleTimer.unref()
      }
    }
    if (msg.digests !== undefined) job.resolve({ buffers: msg.buffers, digests: msg.digests })
    else job.reject(new WgtError('INTERNAL', `shard hashing failed: ${msg.error ?? 'unknown error'}`))
  })
  const fail = (err: unknown): void => {
    const i = hashers.indexOf(h)
    if (i >= 0) hashers.splice(i, 1)
    const failed = [...h.jobs.values()]
    h.jobs.clear()
    for (const job of failed) job.reject(new WgtError('INTERNAL', 'a shard hashing worker stopped', { cause: err }))
  }
  worker.on('error', fail)
  worker.on('exit', code => { fail(new Error(`exit code ${code}`)) })
  hashers.push(h)
  return h
}

/** Terminates the workers now (they restart on the next large segment); pending jobs fail. */
export async function stopHashWorker (): Promise<void> {
  clearTimeout(idleTimer)
  const all = hashers.splice(0)
  await Promise.all(all.map(async h => await h.worker.terminate()))
}
