/**
 * One node's files context with its shards in memory, and a hostile sharer's
 * tools: fetch's checks run for real (ces, tables, output) against files whose
 * manifest or root record the test writes itself, with no network and no
 * second node.
 */
import { createHash, randomBytes } from 'node:crypto'
import { zstdCompressSync } from 'node:zlib'
import { EventHub } from '../../../../shared/rpc.js'
import { MAX_SEGMENT_SIZE, SEGMENT_OVERHEAD, cidOf, encode, encodeLink, newFileId, newFileKey, type CesDomain, type CesParams, type EncodeSummary } from '../../ces/index.js'
import { deriveSubkey, sealInto as sealPayload } from '../../ces/crypto.js'
import { encodeParity } from '../../ces/rs/index.js'
import type { OperationHandle } from '../../operations/registry.js'
import type { FilesContext } from '../context.js'
import type { FreeBytes } from '../disk-space.js'
import type { FileRecord } from '../records.js'
import { MAX_MANIFEST_SIZE, encodeManifest, encodeRoot, plainSizeOf, segmentCount, type ManifestData, type RootData } from '../tables.js'

export const SELF = '12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelfSelfSelf'

export interface MemoryFiles {
  ctx: FilesContext
  /** every shard and root record this node holds, by CID */
  shards: Map<string, Uint8Array>
  /** the CIDs fetch asked for, in order */
  asked: string[]
}

export function memoryFiles (downloadDir: string, freeBytes: FreeBytes = async () => Number.MAX_SAFE_INTEGER): MemoryFiles {
  const shards = new Map<string, Uint8Array>()
  const asked: string[] = []
  const records = new Map<string, FileRecord>()
  const log = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false })
  const ctx = {
    self: SELF,
    shards: {
      get: async (_peer: string, cid: string) => { asked.push(cid); return shards.get(cid) ?? null },
      put: async () => 'stored'
    },
    store: { get: async (cid: string) => shards.get(cid) ?? null, delete: async () => {} },
    locator: { providers: async () => [] },
    announcer: { announce: () => {} },
    records: {
      get: async (id: string) => records.get(id) ?? null,
      put: async (rec: FileRecord) => { records.set(rec.entry.id, rec) },
      list: async () => [...records.values()].map(r => r.entry),
      delete: async (id: string) => { records.delete(id) }
    },
    candidates: async () => [],
    rtt: () => 0,
    reputation: { recordViolation: () => {} },
    events: new EventHub(),
    settings: () => ({ downloadDir, keepFetchedShards: false }),
    log,
    leaseMs: 60_000,
    freeBytes
  }
  return { ctx: ctx as unknown as FilesContext, shards, asked }
}

/** An operation handle for calling fetchFile directly; abort `ctrl` to cancel. */
export function operation (): OperationHandle & { ctrl: AbortController } {
  const ctrl = new AbortController()
  return { id: 'op', ctrl, signal: ctrl.signal, setLabel: () => {}, setFileId: () => {}, progress: () => {} }
}

async function * once (bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes
}

async function sealInto (files: MemoryFiles, bytes: Uint8Array, params: CesParams, key: Uint8Array, fileId: Uint8Array, domain: CesDomain): Promise<EncodeSummary> {
  return await encode(once(bytes), { params, key, fileId, domain }, async s => { files.shards.set(s.cid, s.bytes) })
}

export interface Planted { link: string, id: string, key: Uint8Array, manifest: ManifestData }

/**
 * Shares `data` into the node's memory as a sharer would, except that the
 * sharer may rewrite the manifest (`lie`) before sealing it with the file's key,
 * and the root record (`lieRoot`) before storing it: what a hostile sharer can do.
 */
export async function plant (files: MemoryFiles, data: Uint8Array, params: CesParams, opts: {
  name?: string
  lie?: (m: ManifestData) => ManifestData
  lieRoot?: (r: RootData) => RootData
} = {}): Promise<Planted> {
  const key = newFileKey()
  const fileId = newFileId()
  const summary = await sealInto(files, data, params, key, fileId, 'data')
  const honest: ManifestData = {
    name: opts.name ?? 'planted.bin',
    size: summary.size,
    sha256: summary.sha256,
    params,
    segments: summary.segments.map(s => ({ ...s, holders: s.shards.map(() => [SELF]) })),
    createdAt: 1
  }
  const manifest = opts.lie?.(honest) ?? honest
  const sealed = await sealInto(files, encodeManifest(manifest), params, key, fileId, 'manifest')
  const honestRoot: RootData = { fileId, params, manifestSize: sealed.size, manifestSha256: sealed.sha256, segments: sealed.segments.map(s => ({ ...s, holders: s.shards.map(() => [SELF]) })) }
  const rootBytes = encodeRoot(opts.lieRoot?.(honestRoot) ?? honestRoot)
  const id = cidOf(rootBytes)
  files.shards.set(id, rootBytes)
  return { link: encodeLink(id, key), id, key, manifest }
}

export function sha256 (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}


/**
 * A decompression bomb as a hostile sharer with the key can make it: one data
 * segment declaring `declared` bytes whose sealed payload is `frames` zstd
 * frames of 16 MiB of zeros each (1 GiB from 64 frames, ~34 KB on the wire),
 * under an honest-looking manifest and root record.
 */
export async function plantBomb (files: MemoryFiles, declared: number, frames = 64): Promise<Planted> {
  const params: CesParams = { k: 2, m: 1, segmentSize: declared }
  const key = newFileKey()
  const fileId = newFileId()
  const frame = zstdCompressSync(Buffer.alloc(16 * 2 ** 20))
  const payload = Buffer.concat(new Array(frames).fill(frame))
  const cipherSize = payload.length + SEGMENT_OVERHEAD
  const shardSize = Math.ceil(cipherSize / params.k)
  const stripe = new Uint8Array((params.k + params.m) * shardSize)
  sealPayload([stripe], payload, { subkey: deriveSubkey(key, fileId, 'data'), domain: 'data', fileId, segment: 0, plainSize: declared, compressed: true })
  const shards = Array.from({ length: params.k + params.m }, (_, i) => stripe.subarray(i * shardSize, (i + 1) * shardSize))
  encodeParity(params.k, params.m, shards, shardSize)
  for (const s of shards) files.shards.set(cidOf(s), s)
  const manifest: ManifestData = {
    name: 'bomb.bin',
    size: declared,
    sha256: sha256(Buffer.alloc(declared)),
    params,
    segments: [{ index: 0, plainSize: declared, compressed: true, cipherSize, shardSize, shards: shards.map(s => cidOf(s)), holders: shards.map(() => [SELF]) }],
    createdAt: 1
  }
  const sealed = await sealInto(files, encodeManifest(manifest), params, key, fileId, 'manifest')
  const root: RootData = { fileId, params, manifestSize: sealed.size, manifestSha256: sealed.sha256, segments: sealed.segments.map(s => ({ ...s, holders: s.shards.map(() => [SELF]) })) }
  const rootBytes = encodeRoot(root)
  const id = cidOf(rootBytes)
  files.shards.set(id, rootBytes)
  return { link: encodeLink(id, key), id, key, manifest }
}

/**
 * A root record that declares a manifest one byte over the cap, with a
 * segment table consistent with that size (16 MiB segments of shards that
 * exist nowhere): a node must refuse it before fetching any of it.
 */
export async function plantOversizedManifest (files: MemoryFiles): Promise<Planted> {
  const params: CesParams = { k: 1, m: 0, segmentSize: MAX_SEGMENT_SIZE }
  const manifestSize = MAX_MANIFEST_SIZE + 1
  const segments = Array.from({ length: segmentCount(manifestSize, params.segmentSize) }, (_, i) => {
    const plainSize = plainSizeOf(i, manifestSize, params.segmentSize)
    const cipherSize = plainSize + SEGMENT_OVERHEAD
    return { index: i, plainSize, compressed: false, cipherSize, shardSize: cipherSize, shards: [cidOf(randomBytes(8))], holders: [[SELF]] }
  })
  return await plant(files, randomBytes(100), { k: 2, m: 1, segmentSize: 4096 }, { lieRoot: r => ({ ...r, params, manifestSize, segments }) })
}
