/**
 * Share: encode the file with ces (streaming, constant memory), place every
 * shard as it comes out (a bounded window of puts in flight gives the encoder
 * backpressure), then seal the manifest the same way and store the root
 * record, whose CID is the file's id. The sharer keeps a pinned copy of every
 * shard unless told not to, and always of the root record.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { WgtError } from '../../../shared/errors.js'
import type { ShareOptions, ShareResult } from '../../../shared/types.js'
import { DEFAULT_SEGMENT_SIZE, cidOf, encode, encodeLink, newFileId, newFileKey, type CesDomain, type CesParams, type EncodedShard, type SegmentRecord } from '../ces/index.js'
import type { FilesContext } from './context.js'
import { Semaphore } from './limits.js'
import { candidatesFrom, Placer } from './placement.js'
import { Progress } from './progress.js'
import type { FileRecord } from './records.js'
import { encodeManifest, encodeRoot, type PlacedSegment } from './tables.js'

export async function shareFile (ctx: FilesContext, path: string, options: ShareOptions, signal: AbortSignal): Promise<ShareResult> {
  const source = resolve(path)
  const k = options.k ?? 4
  const m = options.m ?? 2
  if (!Number.isInteger(k) || !Number.isInteger(m) || k < 1 || m < 0 || k + m > 255) throw new WgtError('INVALID_INPUT', `k=${k}, m=${m}: need k ≥ 1, m ≥ 0, k + m ≤ 255`)
  const keepLocal = options.keepLocalCopy ?? true
  let size: number
  try {
    const st = await stat(source)
    if (!st.isFile()) throw new WgtError('INVALID_INPUT', `${source} is not a regular file`)
    size = st.size
  } catch (err) {
    if (err instanceof WgtError) throw err
    throw new WgtError('NOT_FOUND', `cannot read ${source}: ${(err as Error).message}`, { cause: err })
  }
  const name = basename(source)
  const params: CesParams = { k, m, segmentSize: DEFAULT_SEGMENT_SIZE }
  const key = newFileKey()
  const fileId = newFileId()
  const progress = new Progress('share', name, p => { ctx.hub.emit('file:progress', p) })

  try {
    const placer = new Placer(candidatesFrom(await ctx.peers(), ctx.self), async (peer, cid, bytes) => {
      await ctx.shards.put(peer, cid, bytes, ctx.leaseMs, { signal })
    }, signal)
    const segmentsExpected = Math.max(1, Math.ceil(size / params.segmentSize))
    const counter = { placed: 0, total: segmentsExpected * (k + m) }
    const placeOne = async (shard: EncodedShard, avoid: Set<string>): Promise<string[]> => {
      // the local copy and the remote put run side by side: both are disk-bound on this machine
      const [, remote] = await Promise.all([
        keepLocal ? ctx.shards.put(ctx.self, shard.cid, shard.bytes, Infinity) : null,
        placer.place(shard.cid, shard.bytes, avoid)
      ])
      const holders = keepLocal ? [ctx.self] : []
      if (remote != null) holders.push(remote)
      else if (!keepLocal) {
        // nobody took it: losing it is worse than ignoring keepLocalCopy
        await ctx.shards.put(ctx.self, shard.cid, shard.bytes, Infinity)
        holders.push(ctx.self)
      }
      counter.placed++
      progress.report('place', counter.placed, Math.max(counter.total, counter.placed), 'shards')
      return holders
    }

    progress.report('encode', 0, size, 'bytes')
    const data = await encodeAndPlace(readChunks(source), params, key, fileId, 'data', placeOne, signal, n => { progress.report('encode', n, size, 'bytes') })
    const manifestBytes = encodeManifest({ name, size: data.size, sha256: data.sha256, params, segments: data.segments, createdAt: Date.now() })
    counter.total += Math.max(1, Math.ceil(manifestBytes.byteLength / params.segmentSize)) * (k + m)
    const sealed = await encodeAndPlace(once(manifestBytes), params, key, fileId, 'manifest', placeOne, signal)
    const rootBytes = encodeRoot({ fileId, params, manifestSize: sealed.size, manifestSha256: sealed.sha256, segments: sealed.segments })
    const id = cidOf(rootBytes)
    progress.fileId = id

    // the root is tiny and is what every fetch asks for first: the sharer always keeps it, plus m+1 peers
    await ctx.shards.put(ctx.self, id, rootBytes, Infinity)
    const rootHolders = [ctx.self]
    const avoid = new Set<string>()
    for (let i = 0; i < Math.max(1, m + 1); i++) {
      const peer = await placer.place(id, rootBytes, avoid)
      if (peer == null) break
      rootHolders.push(peer)
      if (avoid.size >= placer.peerCount) break
    }

    for (const [peer, why] of placer.failures()) ctx.log('share %s: %s was skipped after a failed put: %s', name, peer, why)
    const link = encodeLink(id, key)
    const rec: FileRecord = {
      entry: { id, link, name, size: data.size, k, m, segments: data.segments.length, direction: 'shared', path: source, createdAt: Date.now() },
      root: { fileId, params, manifestSize: sealed.size, manifestSha256: sealed.sha256, segments: sealed.segments },
      manifest: { name, size: data.size, sha256: data.sha256, params, segments: data.segments, createdAt: Date.now() },
      rootHolders
    }
    await ctx.records.put(rec)
    ctx.hub.emit('files:update', rec.entry)
    progress.report('done', counter.placed, counter.placed, 'shards')
    return { link, id, name, size: data.size, k, m }
  } catch (err) {
    const e = WgtError.from(err)
    progress.failed(e)
    throw e
  }
}

interface Placed { size: number, sha256: string, segments: PlacedSegment[] }

/** Runs ces.encode and places every shard; at most two segments' shards are in flight. */
async function encodeAndPlace (source: AsyncIterable<Uint8Array>, params: CesParams, key: Uint8Array, fileId: Uint8Array, domain: CesDomain,
  placeOne: (s: EncodedShard, avoid: Set<string>) => Promise<string[]>, signal: AbortSignal, onProgress?: (n: number) => void): Promise<Placed> {
  const n = params.k + params.m
  const window = new Semaphore(2 * n)
  const holders = new Map<number, string[][]>()
  const avoidBySegment = new Map<number, Set<string>>()
  const pending = new Set<Promise<void>>()
  let failure: unknown = null
  const summary = await encode(source, { params, key, fileId, domain, signal, onProgress }, async shard => {
    if (failure != null) throw failure
    const release = await window.acquire(signal)
    let avoid = avoidBySegment.get(shard.segment)
    if (avoid == null) { avoid = new Set(); avoidBySegment.set(shard.segment, avoid) }
    const task = placeOne(shard, avoid).then(h => {
      let seg = holders.get(shard.segment)
      if (seg == null) { seg = new Array(n).fill(null).map(() => []); holders.set(shard.segment, seg) }
      seg[shard.index] = h
    }, (err: unknown) => { failure ??= err }).finally(() => { release(); pending.delete(task) })
    pending.add(task)
  })
  await Promise.all([...pending])
  if (failure != null) throw failure
  const segments = summary.segments.map((s: SegmentRecord) => ({ ...s, holders: holders.get(s.index) ?? s.shards.map(() => []) }))
  return { size: summary.size, sha256: summary.sha256, segments }
}

async function * readChunks (path: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Buffer
}

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}
