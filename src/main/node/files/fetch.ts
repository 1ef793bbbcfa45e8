/**
 * Fetch: link → root record (verified against the id) → manifest (decrypted
 * with the link's key; a wrong key stops here, before any file exists) →
 * segments, a few at a time, each from k verified shards, written in place to
 * `<final>.wgt-partial` → SHA-256 of the whole partial file against the
 * manifest → rename to the final name. The sidecar lists finished segments,
 * so a re-run after a crash or kill picks up where it stopped.
 */
import { createHash } from 'node:crypto'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { WgtError } from '../../../shared/errors.js'
import type { FetchResult } from '../../../shared/types.js'
import { decodeSegment } from '../ces/index.js'
import type { FilesContext } from './context.js'
import { parseLink } from './link.js'
import { PARTIAL_SUFFIX, SIDECAR_SUFFIX, chooseOutput, readSidecar, removePartial, sha256File, writeSidecar } from './output.js'
import { Progress } from './progress.js'
import type { FileRecord } from './records.js'
import { fetchShards, type ShardSource } from './segment-fetch.js'
import { findRoot, shardSource } from './source.js'
import { decodeManifest, decodeRoot, type ManifestData, type RootData } from './tables.js'

/** segments fetched at once: enough to overlap network and decode, few enough for constant memory */
const SEGMENT_CONCURRENCY = 3

export interface OpenedFile {
  id: string
  root: RootData
  rootHolders: string[]
  manifest: ManifestData
}

/** Root record and manifest for a link; throws INTEGRITY 'wrong key …' when the key does not open the manifest. */
export async function openLink (ctx: FilesContext, link: string, bad: Set<string>, signal: AbortSignal): Promise<OpenedFile & { key: Uint8Array }> {
  const { manifestId: id, key } = parseLink(link)
  const known = await ctx.records.get(id)
  const { bytes, holders } = await findRoot(ctx, id, known?.rootHolders ?? [], bad, signal)
  const root = decodeRoot(bytes)
  const manifest = await openManifest(root, key, shardSource(ctx, bad), signal)
  return { id, key, root, rootHolders: [...new Set([...(known?.rootHolders ?? []), ...holders])], manifest }
}

async function openManifest (root: RootData, key: Uint8Array, src: ShardSource, signal: AbortSignal): Promise<ManifestData> {
  const hash = createHash('sha256')
  const parts: Uint8Array[] = []
  for (const seg of root.segments) {
    const shards = await fetchShards(seg, root.params, src, signal)
    let plain: Uint8Array
    try {
      plain = decodeSegment(seg, shards, { params: root.params, key, fileId: root.fileId, domain: 'manifest' }).plain
    } catch (err) {
      // every shard was verified against its address on arrival, so what fails to open was sealed with another key
      if (err instanceof WgtError && err.code === 'INTEGRITY') throw new WgtError('INTEGRITY', 'wrong key: the link\'s key does not open this file\'s manifest', { cause: err })
      throw err
    }
    hash.update(plain)
    parts.push(plain)
  }
  if (hash.digest('hex') !== root.manifestSha256) throw new WgtError('INTEGRITY', 'the manifest does not match the hash in its root record')
  return decodeManifest(Buffer.concat(parts))
}

export async function fetchFile (ctx: FilesContext, link: string, outPath: string | undefined, signal: AbortSignal): Promise<FetchResult> {
  const { manifestId } = parseLink(link)
  const progress = new Progress('fetch', link.slice(0, 24), p => { ctx.hub.emit('file:progress', p) })
  progress.fileId = manifestId
  const bad = new Set<string>()
  try {
    progress.report('locate', 0, 1, 'shards')
    const file = await openLink(ctx, link, bad, signal)
    const { manifest, root, key } = file
    progress.label = manifest.name
    progress.report('locate', 1, 1, 'shards')

    const final = outPath != null ? resolve(outPath) : await chooseOutput(ctx.downloadDir(), manifest.name, manifestId)
    if (await exists(final)) throw new WgtError('INVALID_INPUT', `${final} already exists; choose another output path`)
    await mkdir(dirname(final), { recursive: true })
    const { resumed, learned } = await fetchInto(ctx, file, key, final, bad, progress, signal)

    const sha256 = await sha256File(final + PARTIAL_SUFFIX, n => { progress.report('verify', n, manifest.size, 'bytes') })
    if (sha256 !== manifest.sha256) {
      await removePartial(final)
      throw new WgtError('INTEGRITY', `the assembled file hashes to ${sha256}, the manifest says ${manifest.sha256}; nothing was kept`)
    }
    if (await exists(final)) throw new WgtError('INVALID_INPUT', `${final} appeared while fetching; the verified file is left at ${final}${PARTIAL_SUFFIX}`)
    await rename(final + PARTIAL_SUFFIX, final)
    await rm(final + SIDECAR_SUFFIX, { force: true })

    const rec: FileRecord = {
      entry: { id: manifestId, link, name: manifest.name, size: manifest.size, k: manifest.params.k, m: manifest.params.m, segments: manifest.segments.length, direction: 'received', path: final, createdAt: Date.now() },
      root,
      manifest: { ...manifest, segments: manifest.segments.map((s, i) => ({ ...s, holders: s.holders.map((h, j) => [...new Set([...h, ...(learned.get(i)?.get(j) ?? [])])]) })) },
      rootHolders: file.rootHolders
    }
    const existing = await ctx.records.get(manifestId)
    // a sharer fetching its own file keeps its 'shared' record (source path, placement)
    if (existing == null || existing.entry.direction === 'received') {
      await ctx.records.put(rec)
      ctx.hub.emit('files:update', rec.entry)
    }
    progress.report('done', manifest.size, manifest.size, 'bytes')
    return { id: manifestId, name: manifest.name, size: manifest.size, path: final, sha256, badHolders: [...bad], resumedSegments: resumed }
  } catch (err) {
    const e = WgtError.from(err)
    progress.failed(e)
    throw e
  }
}

/** Writes every segment not already done into the partial file; returns how many were resumed and holders learned from the DHT. */
async function fetchInto (ctx: FilesContext, file: OpenedFile, key: Uint8Array, final: string, bad: Set<string>, progress: Progress, signal: AbortSignal): Promise<{ resumed: number, learned: Map<number, Map<number, string[]>> }> {
  const { manifest, root, id } = file
  const partial = final + PARTIAL_SUFFIX
  const side = await readSidecar(final)
  const done = new Set<number>(side != null && side.manifestId === id && side.size === manifest.size && await exists(partial) ? side.done.filter(i => i >= 0 && i < manifest.segments.length) : [])
  const resumed = done.size
  const fh = await open(partial, done.size > 0 ? 'r+' : 'w', 0o600)
  const learned = new Map<number, Map<number, string[]>>()
  try {
    if (done.size === 0) {
      await fh.truncate(manifest.size)
      await writeSidecar(final, { manifestId: id, size: manifest.size, done: [] })
    }
    let bytesDone = manifest.segments.filter(s => done.has(s.index)).reduce((a, s) => a + s.plainSize, 0)
    progress.report('fetch', bytesDone, manifest.size, 'bytes')
    const todo = manifest.segments.filter(s => !done.has(s.index))
    let sidecarWrite = Promise.resolve()
    let next = 0
    // one failing segment stops the others before the file handle closes under them
    const stopAll = new AbortController()
    const sig = AbortSignal.any([signal, stopAll.signal])
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        sig.throwIfAborted()
        const seg = todo[next++]
        const src = shardSource(ctx, bad, (index, peer) => {
          let m = learned.get(seg.index)
          if (m == null) { m = new Map(); learned.set(seg.index, m) }
          m.set(index, [...(m.get(index) ?? []), peer])
        })
        const shards = await fetchShards(seg, manifest.params, src, sig)
        const { plain } = decodeSegment(seg, shards, { params: manifest.params, key, fileId: root.fileId, domain: 'data' })
        await fh.write(plain, 0, plain.byteLength, seg.index * manifest.params.segmentSize)
        bytesDone += plain.byteLength
        progress.report('fetch', bytesDone, manifest.size, 'bytes')
        done.add(seg.index)
        // durable before it is recorded as done, and sidecar writes in order
        sidecarWrite = sidecarWrite.then(async () => {
          await fh.datasync()
          await writeSidecar(final, { manifestId: id, size: manifest.size, done: [...done].sort((a, b) => a - b) })
        })
        await sidecarWrite
      }
    }
    let firstError: unknown = null
    await Promise.all(Array.from({ length: Math.min(SEGMENT_CONCURRENCY, todo.length) }, async () => {
      await worker().catch((err: unknown) => { firstError ??= err; stopAll.abort(err) })
    }))
    if (firstError != null) throw firstError
  } finally {
    await fh.close()
  }
  return { resumed, learned }
}

async function exists (path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}
