/**
 * The root record and the manifest: protobuf on the wire and in shards,
 * checked plain objects in memory. A root record is trusted only as far as
 * its CID matched the link, and a manifest only as far as it decrypted, so
 * both are still validated field by field: a hostile sharer can craft either.
 */
import { WgtError } from '../../../shared/errors.js'
import { MAX_SEGMENT_SIZE, type CesParams, type SegmentRecord } from '../ces/index.js'
import { isShardCid } from '../ces/index.js'
import { Manifest as ManifestPb, RootRecord as RootPb, type Segment as SegmentPb } from './pb/manifest.js'
import { MAX_SHARD_SIZE } from './shard-service.js'

export const ROOT_VERSION = 1
export const MANIFEST_VERSION = 1
/** holders remembered per shard: enough for replicas found by repair and the DHT */
const MAX_HOLDERS = 32
const MAX_SEGMENTS = 1 << 22 // 16 TiB of 4 MiB segments

/** A segment as ces describes it, plus who holds each of its shards. */
export interface PlacedSegment extends SegmentRecord {
  /** holders[i]: PeerIds holding shards[i] */
  holders: string[][]
}

export interface RootData {
  fileId: Uint8Array
  params: CesParams
  manifestSize: number
  manifestSha256: string
  segments: PlacedSegment[]
}

export interface ManifestData {
  name: string
  size: number
  sha256: string
  params: CesParams
  segments: PlacedSegment[]
  createdAt: number
}

export function encodeRoot (root: RootData): Uint8Array {
  const bytes = RootPb.encode({
    version: ROOT_VERSION,
    fileId: root.fileId as Uint8Array<ArrayBuffer>,
    params: root.params,
    manifestSize: root.manifestSize,
    manifestSha256: root.manifestSha256,
    segments: root.segments.map(toPb)
  })
  if (bytes.byteLength > MAX_SHARD_SIZE) throw new WgtError('INVALID_INPUT', `root record of ${bytes.byteLength} bytes exceeds the shard limit`)
  return bytes
}

export function decodeRoot (bytes: Uint8Array): RootData {
  let pb: RootPb
  try {
    pb = RootPb.decode(bytes, { limits: { segments: MAX_SEGMENTS } })
  } catch (err) {
    throw new WgtError('INTEGRITY', `malformed root record: ${(err as Error).message}`)
  }
  if (pb.version !== ROOT_VERSION) throw new WgtError('PROTOCOL', `root record version ${pb.version} is not supported (this node reads ${ROOT_VERSION})`)
  if (pb.fileId.byteLength !== 16) throw new WgtError('INTEGRITY', 'root record: file id must be 16 bytes')
  const params = checkParams(pb.params, 'root record')
  if (!/^[0-9a-f]{64}$/.test(pb.manifestSha256)) throw new WgtError('INTEGRITY', 'root record: bad manifest hash')
  const segments = checkTable(pb.segments, params, pb.manifestSize, 'root record')
  return { fileId: pb.fileId, params, manifestSize: pb.manifestSize, manifestSha256: pb.manifestSha256, segments }
}

export function encodeManifest (m: ManifestData): Uint8Array {
  return ManifestPb.encode({
    version: MANIFEST_VERSION,
    name: m.name,
    size: m.size,
    sha256: m.sha256,
    params: m.params,
    segments: m.segments.map(toPb),
    createdAt: m.createdAt
  })
}

export function decodeManifest (bytes: Uint8Array): ManifestData {
  let pb: ManifestPb
  try {
    pb = ManifestPb.decode(bytes, { limits: { segments: MAX_SEGMENTS } })
  } catch (err) {
    throw new WgtError('INTEGRITY', `malformed manifest: ${(err as Error).message}`)
  }
  if (pb.version !== MANIFEST_VERSION) throw new WgtError('PROTOCOL', `manifest version ${pb.version} is not supported (this node reads ${MANIFEST_VERSION})`)
  if (pb.name.length === 0 || pb.name.length > 1024) throw new WgtError('INTEGRITY', 'manifest: bad file name')
  if (!/^[0-9a-f]{64}$/.test(pb.sha256)) throw new WgtError('INTEGRITY', 'manifest: bad file hash')
  const params = checkParams(pb.params, 'manifest')
  const segments = checkTable(pb.segments, params, pb.size, 'manifest')
  return { name: pb.name, size: pb.size, sha256: pb.sha256, params, segments, createdAt: Number.isFinite(pb.createdAt) ? pb.createdAt : 0 }
}

function toPb (s: PlacedSegment): SegmentPb {
  return {
    index: s.index,
    plainSize: s.plainSize,
    compressed: s.compressed,
    cipherSize: s.cipherSize,
    shardSize: s.shardSize,
    shards: s.shards,
    holders: s.holders.map(peers => ({ peers: peers.slice(0, MAX_HOLDERS) }))
  }
}

export function checkParams (p: { k: number, m: number, segmentSize: number } | undefined, where: string): CesParams {
  if (p == null) throw new WgtError('INTEGRITY', `${where}: missing parameters`)
  const { k, m, segmentSize } = p
  if (!(k >= 1 && m >= 0 && k + m <= 255 && segmentSize >= 1 && segmentSize <= MAX_SEGMENT_SIZE)) {
    throw new WgtError('INTEGRITY', `${where}: parameters out of bounds (k=${k}, m=${m}, segment ${segmentSize})`)
  }
  return { k, m, segmentSize }
}

/** Segment i has index i, k+m valid CIDs, sizes within the parameters, and plain sizes adding up to size. */
function checkTable (segs: SegmentPb[], params: CesParams, size: number, where: string): PlacedSegment[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new WgtError('INTEGRITY', `${where}: bad size ${size}`)
  const n = params.k + params.m
  let total = 0
  const out = segs.map((s, i): PlacedSegment => {
    const bad = (why: string): WgtError => new WgtError('INTEGRITY', `${where}: segment ${i}: ${why}`)
    if (s.index !== i) throw bad(`index ${s.index}`)
    if (s.plainSize > params.segmentSize) throw bad(`plain size ${s.plainSize} exceeds the segment size`)
    if (s.shardSize < 1 || s.shardSize > MAX_SHARD_SIZE || s.cipherSize > s.shardSize * params.k) throw bad('bad shard or cipher size')
    if (s.shards.length !== n || !s.shards.every(isShardCid)) throw bad(`needs ${n} valid shard addresses`)
    if (s.holders.length !== 0 && s.holders.length !== n) throw bad('placement does not match the shards')
    if (s.holders.some(h => h.peers.length > MAX_HOLDERS || h.peers.some(p => p.length > 128))) throw bad('placement too large')
    total += s.plainSize
    return { index: i, plainSize: s.plainSize, compressed: s.compressed, cipherSize: s.cipherSize, shardSize: s.shardSize, shards: s.shards, holders: s.holders.length === 0 ? s.shards.map(() => []) : s.holders.map(h => h.peers) }
  })
  if (total !== size) throw new WgtError('INTEGRITY', `${where}: segments add up to ${total} bytes, not ${size}`)
  return out
}
