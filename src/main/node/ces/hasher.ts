/**
 * SHA-256 of a stripe's shards on a worker thread, in place: the stripe's
 * ArrayBuffer is transferred to the worker and back (ownership moves, no byte
 * is copied), so the encoder's thread seals the next segment and hashes the
 * plaintext meanwhile. WebCrypto's digest, used before, runs on libuv's pool
 * but first copies its input on the calling thread: for the 6 MiB of shards of
 * a 4 MiB segment that copy took 1.7–3.8 ms of this thread, about as long as
 * hashing them here (3.7 ms), so little work actually left it (scratch/dig.mjs).
 *
 * One worker per process, started on first use, held (ref) only while a job
 * is pending so it never keeps the process alive, and terminated after
 * IDLE_MS without jobs. A worker that dies fails the jobs it held; the next
 * job starts a new one.
 */
import { hash } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { WgtError } from '../../../shared/errors.js'

/** Stripes smaller than this are hashed on the calling thread: starting the
 * worker (~20–40 ms once) would cost a small file's time to a link more than
 * hashing ~1.5 ms of shards here saves. */
export const OFF_THREAD_MIN_BYTES = 4 * 2 ** 20
const IDLE_MS = 15_000
const DIGEST_BYTES = 32

// CommonJS, evaluated by the worker: no file to find beside a bundle.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { hash } = require('node:crypto')
parentPort.on('message', ({ id, buffer, offset, size, count }) => {
  try {
    const digests = new Uint8Array(${DIGEST_BYTES} * count)
    for (let i = 0; i < count; i++) digests.set(hash('sha256', new Uint8Array(buffer, offset + i * size, size), 'buffer'), ${DIGEST_BYTES} * i)
    parentPort.postMessage({ id, buffer, digests }, [buffer, digests.buffer])
  } catch (err) {
    parentPort.postMessage({ id, buffer, error: String(err && err.message || err) }, [buffer])
  }
})
`

export interface HashedStripe {
  /** the same memory, owned by this thread again (the buffer passed in is detached) */
  buffer: ArrayBuffer
  /** count × 32 bytes, the digest of shard i at 32·i */
  digests: Uint8Array
}

interface Job { resolve: (r: HashedStripe) => void, reject: (e: Error) => void }

let worker: Worker | undefined
const jobs = new Map<number, Job>()
let nextId = 0
let idleTimer: NodeJS.Timeout | undefined

/**
 * Digests of `count` consecutive shards of `size` bytes starting at `offset`
 * in `buffer`. Small stripes are hashed here and the buffer returned as is;
 * large ones move to the worker, so `buffer` is detached until the promise
 * settles, and must not be shared with any other view holder meanwhile.
 */
export async function hashShards (buffer: ArrayBuffer, offset: number, size: number, count: number): Promise<HashedStripe> {
  if (size * count < OFF_THREAD_MIN_BYTES) return { buffer, digests: hashHere(buffer, offset, size, count) }
  const w = ensureWorker()
  const id = nextId++
  return await new Promise<HashedStripe>((resolve, reject) => {
    jobs.set(id, { resolve, reject })
    if (jobs.size === 1) w.ref()
    clearTimeout(idleTimer)
    w.postMessage({ id, buffer, offset, size, count }, [buffer])
  })
}

function hashHere (buffer: ArrayBuffer, offset: number, size: number, count: number): Uint8Array {
  const digests = new Uint8Array(DIGEST_BYTES * count)
  for (let i = 0; i < count; i++) digests.set(hash('sha256', new Uint8Array(buffer, offset + i * size, size), 'buffer'), DIGEST_BYTES * i)
  return digests
}

function ensureWorker (): Worker {
  if (worker !== undefined) return worker
  const w = new Worker(WORKER_SOURCE, { eval: true, name: 'wgt-ces-hash' })
  w.unref()
  w.on('message', (msg: { id: number, buffer: ArrayBuffer, digests?: Uint8Array, error?: string }) => {
    const job = jobs.get(msg.id)
    if (job === undefined) return
    jobs.delete(msg.id)
    settled(w)
    if (msg.digests !== undefined) job.resolve({ buffer: msg.buffer, digests: msg.digests })
    else job.reject(new WgtError('INTERNAL', `shard hashing failed: ${msg.error ?? 'unknown error'}`))
  })
  const fail = (err: unknown): void => {
    if (worker === w) worker = undefined
    clearTimeout(idleTimer)
    const failed = [...jobs.values()]
    jobs.clear()
    for (const job of failed) job.reject(new WgtError('INTERNAL', 'the shard hashing worker stopped', { cause: err }))
  }
  w.on('error', fail)
  w.on('exit', code => { fail(new Error(`exit code ${code}`)) })
  worker = w
  return w
}

function settled (w: Worker): void {
  if (jobs.size > 0) return
  w.unref()
  idleTimer = setTimeout(() => { if (jobs.size === 0 && worker === w) void stopHashWorker() }, IDLE_MS)
  idleTimer.unref()
}

/** Terminates the worker now (it restarts on the next large stripe); pending jobs fail. */
export async function stopHashWorker (): Promise<void> {
  const w = worker
  worker = undefined
  clearTimeout(idleTimer)
  if (w !== undefined) await w.terminate()
}
