/**
 * Fetch: link → root record (verified against the id) → manifest (decrypted
 * with the link's key; a wrong key stops here, before any file exists) →
 * segments, a few at a time, each from k verified shards, written in place to
 * `<final>.wgt-partial` → SHA-256 of the whole file (taken as it is written) against the
 * manifest → rename to the final name. The sidecar lists finished segments,
 * so a re-run after a crash, a kill or a node stop picks up where it stopped;
 * a fetch the user cancels removes its partial file instead.
 *
 * With keepFetchedShards (on by default) the verified shards a fetch used are
 * kept in this node's store and announced, so the file can be served from
 * here too and gets more durable as it spreads.
 */
import { createHash } from 'node:crypto'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { FetchResult, FileEntry } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { decodeSegment } from '../ces/index.js'
import type { OperationHandle } from '../operations/registry.js'
import { releaseBuffer } from '../wire/index.js'
import type { FilesContext } from './context.js'
import { ensureRoom } from './disk-space.js'
import { parseLink } from './link.js'
import { sanitizeName } from './names.js'
import { PARTIAL_SUFFIX, SIDECAR_SUFFIX, SegmentHash, SidecarRecorder, chooseOutput, finishedEarlier, hashPartial, readSidecar, removePartial, segmentCrc, sha256File, writeFully, writeSidecar } from './output.js'
import type { FileRecord } from './records.js'
import { releaseEverywhere } from './release.js'
import { fetchShards, type ShardSource } from './segment-fetch.js'
import { settleAll } from './settle.js'
import { fileGroupCid } from './groups.js'
import { findRoot, shardSource } from './source.js'
import { decodeManifest, decodeRoot, plainSizeOf, type ManifestData, type PlacedSegment, type RootData } from './tables.js'

/**
 * Segments fetched at once: enough to overlap network and decode, few enough
 * for constant memory. Once fetched shards were freed as soon as kept
 * (releaseBuffer), 2 instead of 3 lowered the fetcher's peak RSS from
 * 196-206 to 187-192 MiB with no fetch time we could tell apart (seven
 * daemons, 512 MiB, interleaved runs; issue 12). Before that, it changed
 * neither (210 vs 211 MiB).
 */
const SEGMENT_CONCURRENCY = 2

export interface OpenedFile {
  id: string
  root: RootData
  rootHolders: string[]
  manifest: ManifestData
}

/** Shards kept while fetching: put in our store (pinned) and announced; released again if the fetch fails or is cancelled. */
class Keeper {
  readonly kept = new Set<string>()
  constructor (private readonly ctx: FilesContext, private readonly enabled: boolean) {}

  /** group: the file's (groups.ts), announced once for all the shards kept */
  async keep (seg: PlacedSegment, shards: Array<Uint8Array | null>, group: string): Promise<void> {
    if (!this.enabled) return
    const puts = shards.map(async (bytes, i) => {
      if (bytes == null) return
      // fetchShards checked each against its CID on arrival
      await this.ctx.shards.put(this.ctx.self, seg.shards[i], bytes, Infinity, { group, hashed: true })
      this.kept.add(seg.shards[i])
      seg.holders[i] = [...new Set([...(seg.holders[i] ?? []), this.ctx.self])]
    })
    // side by side, each waiting on its own fsyncs; all settle before a failure is thrown (then released)
    await settleAll(puts)
  }

  /**
   * Segments a killed run wrote: the shards it kept then are still pinned here.
   * They are ours to release if this run fails, and listed as held by us.
   */
  async adopt (segs: PlacedSegment[]): Promise<void> {
    if (!this.enabled || segs.length === 0) return
    const held = await this.ctx.shards.has(this.ctx.self, segs.flatMap(s => s.shards))
    let at = 0
    for (const seg of segs) {
      for (let i = 0; i < seg.shards.length; i++) {
        if (!held[at++]) continue
        this.kept.add(seg.shards[i])
        seg.holders[i] = [...new Set([...(seg.holders[i] ?? []), this.ctx.self])]
      }
    }
  }

  async keepRoot (id: string, bytes: Uint8Array): Promise<void> {
    if (!this.enabled) return
    await this.ctx.shards.put(this.ctx.self, id, bytes, Infinity)
    this.kept.add(id)
  }
}

/** Root record and manifest for a link; throws INTEGRITY 'wrong key …' when the key does not open the manifest. */
export async function openLink (ctx: FilesContext, link: string, bad: Set<string>, signal: AbortSignal, keeper?: Keeper): Promise<OpenedFile & { key: Uint8Array }> {
  const { manifestId: id, key } = parseLink(link)
  const known = await ctx.records.get(id)
  const { bytes, holders } = await findRoot(ctx, id, known?.rootHolders ?? [], bad, signal)
  const root = decodeRoot(bytes)
  const manifest = await openManifest(root, key, shardSource(ctx, bad, undefined, fileGroupCid(root.fileId)), signal, keeper)
  await keeper?.keepRoot(id, bytes)
  const rootHolders = [...new Set([...(known?.rootHolders ?? []), ...holders, ...(keeper?.kept.has(id) === true ? [ctx.self] : [])])]
  return { id, key, root, rootHolders, manifest }
}

/**
 * Fetches and decrypts the manifest into one buffer of the root's
 * manifestSize, which decodeRoot capped (MAX_MANIFEST_SIZE) and checked
 * against the segment table, so a root record cannot make this hold more.
 */
export async function openManifest (root: RootData, key: Uint8Array, src: ShardSource, signal: AbortSignal, keeper?: Keeper): Promise<ManifestData> {
  const hash = createHash('sha256')
  const bytes = Buffer.allocUnsafe(root.manifestSize)
  let at = 0
  for (const seg of root.segments) {
    const shards = await fetchShards(seg, root.params, src, signal)
    let plain: Uint8Array
    try {
      plain = decodeSegment(seg, shards, { params: root.params, key, fileId: root.fileId, domain: 'manifest', verified: true }).plain
    } catch (err) {
      // every shard was verified against its address on arrival, so a first segment that fails to open was sealed with another key
      if (seg.index === 0 && err instanceof WgtError && err.code === 'INTEGRITY') throw new WgtError('INTEGRITY', 'wrong key: the link\'s key does not open this file\'s manifest', { cause: err })
      throw err
    }
    if (plain.byteLength !== seg.plainSize || at + plain.byteLength > bytes.byteLength) throw new WgtError('INTEGRITY', `manifest segment ${seg.index}: ${plain.byteLength} bytes, the root record says ${seg.plainSize}`)
    hash.update(plain)
    bytes.set(plain, at)
    at += plain.byteLength
    // the key opened it, so it is worth serving; a manifest that fails later is released by the caller
    await keeper?.keep(seg, shards, fileGroupCid(root.fileId))
  }
  if (at !== bytes.byteLength) throw new WgtError('INTEGRITY', `the manifest has ${at} bytes, its root record says ${bytes.byteLength}`)
  if (hash.digest('hex') !== root.manifestSha256) throw new WgtError('INTEGRITY', 'the manifest does not match the hash in its root record')
  return decodeManifest(bytes)
}

/** A received copy of this link that is still where it was saved, unchanged in size; else null. */
export async function existingCopy (ctx: FilesContext, manifestId: string): Promise<FileEntry | null> {
  const rec = await ctx.records.get(manifestId)
  if (rec == null || rec.entry.direction !== 'received' || rec.entry.path == null) return null
  const st = await stat(rec.entry.path).catch(() => null)
  return st != null && st.isFile() && st.size === rec.entry.size ? rec.entry : null
}

export interface FetchOptions {
  outPath?: string
  /** the peer whose offer this fetch accepts */
  from?: string | null
}

/**
 * Links each node (by its id) is fetching. A second fetch of the same link would
 * write the same partial file (chooseOutput resumes by the sidecar), truncate
 * what the first wrote but had not listed yet, and release shards the first
 * kept: it is refused until the first ends.
 */
const fetching = new Set<string>()

export async function fetchFile (ctx: FilesContext, link: string, options: FetchOptions, op: OperationHandle): Promise<FetchResult> {
  const { manifestId } = parseLink(link)
  op.setFileId(manifestId)
  const claim = `${ctx.self}/${manifestId}`
  if (fetching.has(claim)) throw new WgtError('UNAVAILABLE', 'this link is already being fetched; wait for that fetch to finish, or cancel it')
  fetching.add(claim)
  try {
    return await fetchOnce(ctx, link, manifestId, options, op)
  } finally {
    fetching.delete(claim)
  }
}

async function fetchOnce (ctx: FilesContext, link: string, manifestId: string, options: FetchOptions, op: OperationHandle): Promise<FetchResult> {
  const { signal } = op
  const bad = new Set<string>()
  const keeper = new Keeper(ctx, ctx.settings().keepFetchedShards)
  let final: string | null = null
  try {
    op.progress('locating', 0)
    if (options.outPath == null) {
      const copy = await existingCopy(ctx, manifestId)
      if (copy?.path != null) {
        op.setLabel(copy.name)
        const rec = await ctx.records.get(manifestId)
        return { id: manifestId, name: copy.name, size: copy.size, path: copy.path, sha256: rec?.manifest.sha256 ?? '', badHolders: [], resumedSegments: 0, existing: true }
      }
    }
    const file = await openLink(ctx, link, bad, signal, keeper)
    const { manifest, root, key } = file
    // the manifest is the sharer's word: what the UI shows is the name as it will be saved
    const name = sanitizeName(manifest.name)
    op.setLabel(name)
    op.progress('locating', 1, { done: 0, total: manifest.size })

    final = options.outPath != null ? resolve(options.outPath) : await chooseOutput(ctx.settings().downloadDir, manifest.name, manifestId)
    let sha256 = ''
    let resumed = 0
    const learned = new Map<number, Map<number, string[]>>()
    if (await exists(final)) {
      // killed between the rename and the sidecar's removal: the file is done if it still hashes right
      if (await finishedEarlier(final, manifestId, manifest.size)) sha256 = await sha256File(final, n => { op.progress('verifying', manifest.size > 0 ? n / manifest.size : 1) })
      if (sha256 !== manifest.sha256) throw new WgtError('INVALID_INPUT', `${final} already exists; choose another output path`)
      resumed = manifest.segments.length
      await keeper.adopt(manifest.segments)
    } else {
      await mkdir(dirname(final), { recursive: true })
      // a second round only when the first's bytes on disk did not all check out
      for (let round = 0; ; round++) {
        const got = await fetchInto(ctx, file, key, final, bad, keeper, op)
        if (round === 0) resumed = got.resumed
        for (const [i, m] of got.learned) learned.set(i, m)
        const checked = await checkPartial(final, manifest, op, got.sha256)
        if (checked.ok) { sha256 = checked.sha256; break }
        if (round > 0 || checked.redo.length === 0) {
          await removePartial(final)
          throw new WgtError('INTEGRITY', `the assembled file hashes to ${checked.sha256}, the manifest says ${manifest.sha256}; nothing was kept`)
        }
        ctx.log('fetch %s: segments %s were recorded written but their bytes on disk differ; fetching them again', manifestId, checked.redo.join(','))
      }
      signal.throwIfAborted()
      if (await exists(final)) throw new WgtError('INVALID_INPUT', `${final} appeared while fetching; the verified file is left at ${final}${PARTIAL_SUFFIX}`)
      await rename(final + PARTIAL_SUFFIX, final)
    }
    await rm(final + SIDECAR_SUFFIX, { force: true })

    const rec: FileRecord = {
      entry: { id: manifestId, link, name, size: manifest.size, k: manifest.params.k, m: manifest.params.m, segments: manifest.segments.length, direction: 'received', path: final, from: options.from ?? null, createdAt: Date.now() },
      root,
      manifest: { ...manifest, segments: manifest.segments.map((s, i) => ({ ...s, holders: s.holders.map((h, j) => [...new Set([...h, ...(learned.get(i)?.get(j) ?? [])])]) })) },
      rootHolders: file.rootHolders
    }
    const existing = await ctx.records.get(manifestId)
    // a sharer fetching its own file keeps its 'shared' record (source path, placement)
    if (existing == null || existing.entry.direction === 'received') {
      await ctx.records.put(rec)
      ctx.events.emit('files:update', rec.entry)
    }
    return { id: manifestId, name, size: manifest.size, path: final, sha256, badHolders: [...bad], resumedSegments: resumed, existing: false }
  } catch (err) {
    const e = WgtError.from(signal.aborted ? signal.reason ?? err : err)
    // A cancel leaves nothing: no partial file; nor does a file that does not
    // check out (INTEGRITY: the manifest lies, and a retry would not change it).
    // A node stopping keeps all it has for a resume; any other failure keeps the
    // partial (a retry resumes it) but not the shards it pinned for serving: no
    // record would ever release them.
    if ((e.code === 'CANCELLED' || e.code === 'INTEGRITY') && final != null) await removePartial(final)
    if (e.code !== 'NOT_RUNNING' && keeper.kept.size > 0) {
      const ours = (await ctx.records.get(manifestId)) != null
      if (!ours) await releaseEverywhere(ctx, new Map([[ctx.self, keeper.kept]])).catch(() => {})
    }
    throw e
  }
}

/**
 * The assembled partial file against the manifest: its length first (a cheap
 * stat, and a wrong one says more than a hash), then the SHA-256 taken while
 * it was written (streamed); only when that does not match, one read of the
 * file for its SHA-256 and each segment's CRC-32. When the hash is wrong, the segments whose bytes
 * on disk are not what the sidecar says was written are dropped from it, to
 * be fetched again (redo); none means the manifest's hash does not describe
 * what its own authenticated segments decode to.
 */
async function checkPartial (final: string, manifest: ManifestData, op: OperationHandle, streamed: string | null): Promise<{ ok: true, sha256: string } | { ok: false, sha256: string, redo: number[] }> {
  const length = (await stat(final + PARTIAL_SUFFIX)).size
  if (length !== manifest.size) {
    await removePartial(final)
    throw new WgtError('INTEGRITY', `the assembled file is ${length} bytes, the manifest says ${manifest.size}; nothing was kept`)
  }
  // hashed while it was written (SegmentHash): the file is verified without reading it again
  if (streamed === manifest.sha256) {
    op.progress('verifying', 1)
    return { ok: true, sha256: streamed }
  }
  const { sha256, crc } = await hashPartial(final, manifest.params.segmentSize, n => { op.progress('verifying', manifest.size > 0 ? n / manifest.size : 1) })
  if (sha256 === manifest.sha256) return { ok: true, sha256 }
  const side = await readSidecar(final)
  if (side?.crc == null) return { ok: false, sha256, redo: [] }
  const redo = side.done.filter((i, j) => side.crc?.[j] !== UNKNOWN_CRC && side.crc?.[j] !== crc[i])
  if (redo.length > 0) {
    const keep = side.done.map((i, j) => [i, side.crc?.[j] ?? UNKNOWN_CRC]).filter(([i]) => !redo.includes(i))
    await writeSidecar(final, { ...side, done: keep.map(x => x[0]), crc: keep.map(x => x[1]) })
  }
  return { ok: false, sha256, redo }
}

/** a resumed segment's CRC when its sidecar (from an older version) has none */
const UNKNOWN_CRC = -1

/** Writes every segment not already done into the partial file; returns how many were resumed and holders learned from the DHT. */
async function fetchInto (ctx: FilesContext, file: OpenedFile, key: Uint8Array, final: string, bad: Set<string>, keeper: Keeper, op: OperationHandle): Promise<{ resumed: number, learned: Map<number, Map<number, string[]>>, sha256: string | null }> {
  const { manifest, root, id } = file
  const signal = op.signal
  const partial = final + PARTIAL_SUFFIX
  const side = await readSidecar(final)
  const crcs = new Map<number, number>()
  if (side != null && side.manifestId === id && side.size === manifest.size && await exists(partial)) {
    side.done.forEach((i, j) => { if (i >= 0 && i < manifest.segments.length) crcs.set(i, side.crc?.[j] ?? UNKNOWN_CRC) })
  }
  const done = new Set<number>(crcs.keys())
  const resumed = done.size
  await keeper.adopt(manifest.segments.filter(s => done.has(s.index)))
  // the manifest's size is the sharer's word: room for what is left to write, before anything is fetched
  await ensureRoom(dirname(final), manifest.segments.reduce((a, s) => a + (done.has(s.index) ? 0 : s.plainSize), 0), ctx.freeBytes)
  const fh = await open(partial, done.size > 0 ? 'r+' : 'w+', 0o600)
  const learned = new Map<number, Map<number, string[]>>()
  let recorder: SidecarRecorder | null = null
  const segmentSize = manifest.params.segmentSize
  const hashed = new SegmentHash(fh, manifest.segments.length, segmentSize, i => plainSizeOf(i, manifest.size, segmentSize), signal)
  try {
    if (done.size === 0) {
      await fh.truncate(manifest.size)
      await writeSidecar(final, { manifestId: id, size: manifest.size, done: [], crc: [] })
    }
    let bytesDone = manifest.segments.filter(s => done.has(s.index)).reduce((a, s) => a + s.plainSize, 0)
    const report = (): void => { op.progress('receiving', manifest.size > 0 ? bytesDone / manifest.size : 1, { done: bytesDone, total: manifest.size }) }
    report()
    const remaining = manifest.segments.filter(s => !done.has(s.index))
    // an earlier run's segments: read back now up to the first one missing, the rest when the hash reaches them
    for (const i of done) await hashed.add(i)
    const group = fileGroupCid(root.fileId)
    let next = 0
    // one failing segment stops the others before the file handle closes under them
    const stopAll = new AbortController()
    const sig = AbortSignal.any([signal, stopAll.signal])
    const rec = recorder = new SidecarRecorder(final, fh, err => { stopAll.abort(err) })
    const writeSegment = async (seg: PlacedSegment, plain: Uint8Array): Promise<{ crc: number, length: number }> => {
      // whole segments but the last (tables.ts checked the table; this checks what it decoded to), so nothing lands past the end
      const expected = plainSizeOf(seg.index, manifest.size, segmentSize)
      if (plain.byteLength !== expected) throw new WgtError('INTEGRITY', `segment ${seg.index} decoded to ${plain.byteLength} bytes; the file's size makes it ${expected}`)
      const crc = segmentCrc(plain)
      await writeFully(fh, plain, seg.index * segmentSize)
      return { crc, length: plain.byteLength }
    }
    const worker = async (): Promise<void> => {
      // each worker decrypts every segment into the same buffer: no segment-sized garbage per segment
      const into = new Uint8Array(Math.min(segmentSize, manifest.size))
      // the previous segment's shards being kept while this one is fetched
      let keeping: Promise<void> = Promise.resolve()
      try {
        while (next < remaining.length) {
          sig.throwIfAborted()
          const seg = remaining[next++]
          const src = shardSource(ctx, bad, (index, peer) => {
            let m = learned.get(seg.index)
            if (m == null) { m = new Map(); learned.set(seg.index, m) }
            m.set(index, [...(m.get(index) ?? []), peer])
          }, group)
          const shards = await fetchShards(seg, manifest.params, src, sig)
          // the plaintext is written and hashed before the shards are kept; `into` is not read again until the next segment
          // fetchShards checked each shard against its CID on arrival: hashing them again here was a
          // third SHA-256 pass over the file on this thread (with the whole file's), ~4% of a fetcher's CPU (perf)
          const plain = decodeSegment(seg, shards, { params: manifest.params, key, fileId: root.fileId, domain: 'data', verified: true }, into).plain
          const { crc, length } = await writeSegment(seg, plain)
          await hashed.add(seg.index, plain)
          bytesDone += length
          report()
          // At most two segments' shards a worker: the last one's kept before this one's start.
          // Keeping (a put per shard, each with two fsyncs) was half a worker's time, and the
          // next segment's fetch waited for it. 256 MiB on seven daemons, six rounds each
          // interleaved: fetch median 3.76 -> 3.48 s; 4 GiB: fetcher peak RSS 191.8 MiB
          // (idle 134.5), was 185.5 (idle 128.3)
          await keeping
          keeping = keeper.keep(seg, shards, group).then(() => {
            // each shard arrived in memory of its own (ShardService.get), stored if kept, and is read no more
            for (const shard of shards) if (shard != null) releaseBuffer(shard)
            // Listed once written and kept, so a resume (Keeper.adopt) finds a listed segment's shards
            // under our own lease. Durable too: the list is taken now, when every segment in it has
            // been written, and the datasync before its write covers them all.
            done.add(seg.index)
            crcs.set(seg.index, crc)
            const list = [...done].sort((a, b) => a - b)
            rec.record({ manifestId: id, size: manifest.size, done: list, crc: list.map(i => crcs.get(i) ?? UNKNOWN_CRC) })
          })
          // a failed keep stops the fetch now, not once the next segment is in; awaited again below
          keeping.catch((err: unknown) => { stopAll.abort(err) })
        }
        await keeping
      } finally {
        // a keep still running must land (or fail) before a failed fetch releases what was kept
        await keeping.catch(() => {})
      }
    }
    let firstError: unknown = null
    await Promise.all(Array.from({ length: Math.min(SEGMENT_CONCURRENCY, remaining.length) }, async () => {
      await worker().catch((err: unknown) => { firstError ??= err; stopAll.abort(err) })
    }))
    if (firstError != null) throw firstError
    await rec.settled()
    return { resumed, learned, sha256: await hashed.digest() }
  } finally {
    await recorder?.settled().catch(() => {})
    await hashed.idle()
    await fh.close()
  }
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
