/**
 * Share: encode the file with ces (streaming, constant memory), place every
 * shard as it comes out (a bounded window of puts in flight gives the encoder
 * backpressure), then seal the manifest the same way and store the root
 * record, whose CID is the file's id. Unless told not to, the sharer keeps a
 * pinned copy of the file's k data shards per segment, which are the file
 * itself (encrypted) and rebuild its parity with no network (health.ts), and
 * of every manifest shard; always of the root record. Its parity went to the
 * holders only: keeping it too wrote 1.5× the file to the sharer's disk, and
 * that copy was 40% of the sharer's CPU (seven daemons, 256 MiB, three
 * interleaved runs: 0.0164 against 0.0099 s per MiB with no local copy at
 * all; the kernel's copy into the page cache alone was 20%, perf).
 *
 * A share that fails or is cancelled takes back what it placed: every holder
 * is asked to release the shards, ours included, so nothing half-shared is
 * left on any disk (a holder that cannot be reached drops them when the lease
 * runs out).
 */
import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import type { ShareOptions, ShareResult } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { DEFAULT_SEGMENT_SIZE, cidOf, encode, encodeLink, newFileId, newFileKey, type CesDomain, type CesParams, type EncodedShard, type SegmentRecord } from '../ces/index.js'
import type { OperationHandle } from '../operations/registry.js'
import { Semaphore } from '../wire/index.js'
import type { FilesContext } from './context.js'
import { fileGroupCid } from './groups.js'
import { Placer } from './placement.js'
import type { FileRecord } from './records.js'
import { readSegments } from './read-segments.js'
import { releaseEverywhere } from './release.js'
import { settleAll } from './settle.js'
import { MAX_MANIFEST_SIZE, encodeManifest, encodeRoot, manifestSizeEstimate, type PlacedSegment } from './tables.js'

export interface ShareTarget { path: string, size: number, name: string }

/** Checks the source before an operation starts, so a typo fails the call itself. */
export async function shareTarget (path: string): Promise<ShareTarget> {
  const source = resolve(path)
  try {
    const st = await stat(source)
    if (!st.isFile()) throw new WgtError('INVALID_INPUT', `${source} is not a regular file`)
    return { path: source, size: st.size, name: basename(source) }
  } catch (err) {
    if (err instanceof WgtError) throw err
    throw new WgtError('NOT_FOUND', `cannot read ${source}: ${(err as Error).message}`, { cause: err })
  }
}

export async function shareFile (ctx: FilesContext, target: ShareTarget, options: ShareOptions, op: OperationHandle): Promise<ShareResult> {
  const { signal } = op
  const { path: source, name } = target
  const size = target.size
  const k = options.k ?? 4
  const m = options.m ?? 2
  if (!Number.isInteger(k) || !Number.isInteger(m) || k < 1 || m < 0 || k + m > 255) throw new WgtError('INVALID_INPUT', `k=${k}, m=${m}: need k ≥ 1, m ≥ 0, k + m ≤ 255`)
  const keepLocal = options.keepLocalCopy ?? true
  const params: CesParams = { k, m, segmentSize: DEFAULT_SEGMENT_SIZE }
  checkManifestFits(manifestSizeEstimate(name, size, params, ctx.self), name, params)
  const key = newFileKey()
  const fileId = newFileId()
  // every data and manifest shard carries the file's group, so holders announce the file once (groups.ts)
  const group = fileGroupCid(fileId)
  const n = k + m
  /** who holds what, so a failed share can take it back */
  const placed = new Map<string, Set<string>>()
  /** the root record's CID, once known */
  let rootId: string | null = null
  const note = (peer: string, cid: string): void => {
    let s = placed.get(peer)
    if (s == null) { s = new Set(); placed.set(peer, s) }
    s.add(cid)
  }

  try {
    op.progress('preparing', 0, { done: 0, total: size })
    // noted before the put: a put cut off by a cancel may still have landed on the peer
    // the root record (the file's id) goes out without a group: fetchers look it up by its own CID
    const placer = new Placer(await ctx.candidates(), async (peer, cid, bytes) => {
      note(peer, cid)
      await ctx.shards.put(peer, cid, bytes, ctx.leaseMs, { signal, group: cid === rootId ? undefined : group })
    }, signal)
    // bytes of the file whose shards are placed: each placed shard of segment s counts 1/n of its plaintext
    let bytesPlaced = 0
    const plainOf = (segment: number): number => Math.max(0, Math.min(params.segmentSize, size - segment * params.segmentSize))
    const putLocal = async (cid: string, bytes: Uint8Array): Promise<void> => {
      note(ctx.self, cid)
      // the encoder named every shard by its hash (and the root is named by cidOf): not hashed again
      await ctx.shards.put(ctx.self, cid, bytes, Infinity, { group: cid === rootId ? undefined : group, hashed: true })
    }
    const placeOne = (domain: CesDomain) => async (shard: EncodedShard, avoid: Set<string>): Promise<string[]> => {
      // the local copy and the remote put run side by side: both are disk-bound on this machine.
      // Both settle before either's failure is thrown: the caller then releases the shard's
      // memory to the encoder, and a put still sending it must not see it rewritten
      const local = keepLocal && (domain === 'manifest' || shard.index < k)
      const [, remote] = await settleAll([local ? putLocal(shard.cid, shard.bytes) : null, placer.place(shard.cid, shard.bytes, avoid)] as const)
      const holders = local ? [ctx.self] : []
      if (remote != null) holders.push(remote)
      else if (!local) {
        // nobody took it: losing it is worse than ignoring keepLocalCopy (or keeping only the data shards)
        await putLocal(shard.cid, shard.bytes)
        holders.push(ctx.self)
      }
      if (domain === 'data') {
        bytesPlaced += plainOf(shard.segment) / n
        op.progress('sending', size === 0 ? 1 : bytesPlaced / size, { done: Math.round(bytesPlaced), total: size })
      }
      return holders
    }

    op.progress('sending', 0, { done: 0, total: size })
    const data = await encodeAndPlace(readSegments(source, params.segmentSize), params, key, fileId, 'data', placeOne('data'), signal)
    if (data.size !== size) throw new WgtError('INVALID_INPUT', `${source} changed while it was being shared (${size} bytes at the start, ${data.size} read)`)
    op.progress('finishing', 0, { done: size, total: size })
    const manifestBytes = encodeManifest({ name, size: data.size, sha256: data.sha256, params, segments: data.segments, createdAt: Date.now() })
    checkManifestFits(manifestBytes.byteLength, name, params)
    const sealed = await encodeAndPlace(once(manifestBytes), params, key, fileId, 'manifest', placeOne('manifest'), signal)
    const rootBytes = encodeRoot({ fileId, params, manifestSize: sealed.size, manifestSha256: sealed.sha256, segments: sealed.segments })
    const id = cidOf(rootBytes)
    rootId = id
    op.setFileId(id)
    op.progress('finishing', 0.5)

    // the root is tiny and is what every fetch asks for first: the sharer always keeps it, plus m+1
    // peers, all at once (one after another, they were a third of a small file's time to its link);
    // place() reserves each pick at once, so the copies go to distinct peers while there are enough
    const avoid = new Set<string>()
    const [, ...roots] = await Promise.all([
      putLocal(id, rootBytes),
      ...Array.from({ length: Math.min(Math.max(1, m + 1), placer.peerCount) }, async () => await placer.place(id, rootBytes, avoid))
    ])
    const rootHolders = [...new Set([ctx.self, ...roots.filter((p): p is string => p != null)])]

    for (const [peer, why] of placer.failures()) ctx.log('share %s: %s was skipped after a failed put: %s', name, peer, why)
    const link = encodeLink(id, key)
    const rec: FileRecord = {
      entry: { id, link, name, size: data.size, k, m, segments: data.segments.length, direction: 'shared', path: source, from: null, createdAt: Date.now() },
      root: { fileId, params, manifestSize: sealed.size, manifestSha256: sealed.sha256, segments: sealed.segments },
      manifest: { name, size: data.size, sha256: data.sha256, params, segments: data.segments, createdAt: Date.now() },
      rootHolders
    }
    signal.throwIfAborted()
    await ctx.records.put(rec)
    ctx.events.emit('files:update', rec.entry)
    // the file's id is known only now: one event per peer that took shards
    for (const peer of placed.keys()) if (peer !== ctx.self) ctx.events.emit('files:placed', { fileId: id, peerId: peer, operation: op.id })
    return { link, id, name, size: data.size, k, m }
  } catch (err) {
    await releaseEverywhere(ctx, placed)
    throw err
  }
}

/** A manifest no fetcher would read (tables.ts MAX_MANIFEST_SIZE) makes a link nobody can use: refused instead. */
function checkManifestFits (manifestSize: number, name: string, params: CesParams): void {
  if (manifestSize <= MAX_MANIFEST_SIZE) return
  const n = params.k + params.m
  throw new WgtError('INVALID_INPUT', `${name} is too large to share with ${params.k}+${params.m} shards per segment: its manifest would be ` +
    `${Math.ceil(manifestSize / 2 ** 20)} MiB, over the ${MAX_MANIFEST_SIZE / 2 ** 20} MiB a node reads${n > 2 ? '; fewer shards per segment (a smaller k + m) fit a larger file' : ''}`)
}

interface Placed { size: number, sha256: string, segments: PlacedSegment[] }

/**
 * Runs ces.encode and places every shard, with at most one segment's shards
 * (n, or 4 when n is smaller) in flight while the encoder seals the next.
 * Two segments' worth bought no speed and cost the sharer memory: each shard
 * in flight also holds its TLS copies, which glibc keeps in its arena once
 * freed. Seven daemons, 2 cores: 1 GiB shared, sharer peak RSS 188.6–194.5
 * MiB with 2n against 178.6–179.3 with n; 4 GiB, 200.4 against 189.0; share
 * of 256 MiB, median of six rounds interleaved, 6.51 s against 6.51 s.
 */
async function encodeAndPlace (source: AsyncIterable<Uint8Array>, params: CesParams, key: Uint8Array, fileId: Uint8Array, domain: CesDomain,
  placeOne: (s: EncodedShard, avoid: Set<string>) => Promise<string[]>, signal: AbortSignal): Promise<Placed> {
  const n = params.k + params.m
  const window = new Semaphore(Math.max(n, 4))
  const holders = new Map<number, string[][]>()
  const avoidBySegment = new Map<number, Set<string>>()
  const pending = new Set<Promise<void>>()
  let failure: unknown = null
  try {
    const summary = await encode(source, { params, key, fileId, domain, signal }, async shard => {
      if (failure != null) throw failure
      const release = await window.acquire(signal)
      let avoid = avoidBySegment.get(shard.segment)
      if (avoid == null) { avoid = new Set(); avoidBySegment.set(shard.segment, avoid) }
      const task = placeOne(shard, avoid).then(h => {
        let seg = holders.get(shard.segment)
        if (seg == null) { seg = new Array(n).fill(null).map(() => []); holders.set(shard.segment, seg) }
        seg[shard.index] = h
      }, (err: unknown) => { failure ??= err }).finally(() => {
        // every put of it has settled: its memory may take a shard of a later segment (ces/encode.ts pools it)
        shard.release()
        release()
        pending.delete(task)
      })
      pending.add(task)
    })
    await Promise.all([...pending])
    if (failure != null) throw failure
    const segments = summary.segments.map((s: SegmentRecord) => ({ ...s, holders: holders.get(s.index) ?? s.shards.map(() => []) }))
    return { size: summary.size, sha256: summary.sha256, segments }
  } finally {
    // every put in flight has landed or failed before the caller releases what was placed
    await Promise.allSettled([...pending])
  }
}

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}
