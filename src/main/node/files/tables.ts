/**
 * The root record and the manifest: protobuf on the wire and in shards,
 * checked plain objects in memory. A root record is trusted only as far as
 * its CID matched the link, and a manifest only as far as it decrypted, so
 * both are still validated field by field: a hostile sharer can craft either.
 */
import { WgtError } from '../../../shared/errors.js'
import { CID_STRING_LENGTH, DEFAULT_SEGMENT_SIZE, MAX_SEGMENT_SIZE, MIN_SEGMENT_SIZE, SEGMENT_OVERHEAD, isShardCid, type CesParams, type SegmentRecord } from '../ces/index.js'
import { Manifest as ManifestPb, RootRecord as RootPb, type Segment as SegmentPb } from './pb/manifest.js'
import { MAX_SHARD_SIZE } from './shard-service.js'

export const ROOT_VERSION = 1
export const MANIFEST_VERSION = 1
/** holders remembered per shard: enough for replicas found by repair and the DHT */
const MAX_HOLDERS = 32

/**
 * The largest manifest (its plaintext) a node writes or reads: 64 MiB. A
 * fetcher holds the whole manifest while it decodes it, and a root record's
 * manifestSize is a stranger's word, so decodeRoot checks it against this
 * before one manifest shard is fetched or one byte allocated for it (a 30 KB
 * root record once listed manifest segments of zeros that took a fetching
 * daemon from 164 to 1,711 MiB).
 *
 * Why 64 MiB: a 4+2 share writes 1,047 bytes of table per 4 MiB segment (six
 * CIDs, two holders each; measured with encodeManifest), so this describes
 * files up to ~250 GiB at the defaults; k+m = 255 costs ~43 KiB per segment,
 * ~6 GiB. Holding it costs a fetcher 64 MiB of bytes and a few times that
 * decoded: bounded, where it was not. share.ts refuses a file whose manifest
 * would not fit.
 */
export const MAX_MANIFEST_SIZE = 64 * 1024 * 1024
/** no segment's table entry is smaller: one 59-character CID with its framing (61 bytes) and its sizes (83 bytes measured) */
const MIN_SEGMENT_ENTRY = 64
/** what a manifest of MAX_MANIFEST_SIZE can list at most: 2^20 segments */
export const MAX_SEGMENTS = MAX_MANIFEST_SIZE / MIN_SEGMENT_ENTRY
/** the largest file the format can describe: 2^20 segments of 16 MiB, 16 TiB */
export const MAX_FILE_SIZE = MAX_SEGMENTS * MAX_SEGMENT_SIZE

/**
 * The largest root record a node writes, in bytes: share seals the manifest
 * in segments of DEFAULT_SEGMENT_SIZE, so a manifest of MAX_MANIFEST_SIZE
 * makes at most 16 segments, each of at most 255 shards, each shard with at
 * most 2 holders (the sharer and one peer) of PeerIds up to the 128
 * characters checkTable allows. Encoded once here rather than estimated:
 * 1,330,553 bytes, where a 4+2 share's is ~1 KB. A reader that only wants the root
 * record (inspecting a link) reads no more than this from any peer, not the
 * 16 MiB a shard may have.
 */
export const MAX_ROOT_SIZE = worstRootSize()

function worstRootSize (): number {
  const params: CesParams = { k: 1, m: 254, segmentSize: DEFAULT_SEGMENT_SIZE }
  const count = segmentCount(MAX_MANIFEST_SIZE, params.segmentSize)
  const cid = 'b'.padEnd(CID_STRING_LENGTH, 'a')
  const peer = 'x'.repeat(128)
  const n = params.k + params.m
  const segments: PlacedSegment[] = Array.from({ length: count }, (_, index) => ({
    index,
    plainSize: params.segmentSize,
    compressed: true,
    cipherSize: MAX_SHARD_SIZE,
    shardSize: MAX_SHARD_SIZE,
    shards: new Array(n).fill(cid),
    holders: Array.from({ length: n }, () => [peer, peer])
  }))
  return RootPb.encode({ version: ROOT_VERSION, fileId: new Uint8Array(16), params, manifestSize: MAX_MANIFEST_SIZE, manifestSha256: '0'.repeat(64), segments: segments.map(toPb) }).byteLength
}

/**
 * Decoding limits for a table of `bytes`: no more segments than real entries
 * of MIN_SEGMENT_ENTRY bytes could fill (empty entries cost 2 bytes on the
 * wire and ~170 in memory: a 16 MiB root record of them took ~700 MiB), at
 * most 255 shards and holder lists per segment, and a bounded holder list.
 */
function tableLimits (bytes: Uint8Array): { limits: Record<string, unknown> } {
  return { limits: { segments: Math.min(MAX_SEGMENTS, Math.ceil(bytes.byteLength / MIN_SEGMENT_ENTRY)), segments$: { shards: 255, holders: 255, holders$: { peers: 64 } } } }
}

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
    pb = RootPb.decode(bytes, tableLimits(bytes))
  } catch (err) {
    throw new WgtError('INTEGRITY', `malformed root record: ${(err as Error).message}`)
  }
  if (pb.version !== ROOT_VERSION) throw new WgtError('PROTOCOL', `root record version ${pb.version} is not supported (this node reads ${ROOT_VERSION})`)
  if (pb.fileId.byteLength !== 16) throw new WgtError('INTEGRITY', 'root record: file id must be 16 bytes')
  const params = checkParams(pb.params, 'root record')
  if (!/^[0-9a-f]{64}$/.test(pb.manifestSha256)) throw new WgtError('INTEGRITY', 'root record: bad manifest hash')
  // before anything is fetched for it: the manifest is held whole
  if (!(pb.manifestSize <= MAX_MANIFEST_SIZE)) {
    throw new WgtError('INTEGRITY', `root record: a manifest of ${pb.manifestSize} bytes is over the ${MAX_MANIFEST_SIZE} a node reads`)
  }
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
    pb = ManifestPb.decode(bytes, tableLimits(bytes))
  } catch (err) {
    throw new WgtError('INTEGRITY', `malformed manifest: ${(err as Error).message}`)
  }
  if (pb.version !== MANIFEST_VERSION) throw new WgtError('PROTOCOL', `manifest version ${pb.version} is not supported (this node reads ${MANIFEST_VERSION})`)
  if (pb.name.length === 0 || pb.name.length > 1024) throw new WgtError('INTEGRITY', 'manifest: bad file name')
  if (!/^[0-9a-f]{64}$/.test(pb.sha256)) throw new WgtError('INTEGRITY', 'manifest: bad file hash')
  const params = checkParams(pb.params, 'manifest')
  if (!(pb.size <= MAX_FILE_SIZE)) throw new WgtError('INTEGRITY', `manifest: a file of ${pb.size} bytes is over the ${MAX_FILE_SIZE} the format describes`)
  const segments = checkTable(pb.segments, params, pb.size, 'manifest')
  return { name: pb.name, size: pb.size, sha256: pb.sha256, params, segments, createdAt: Number.isFinite(pb.createdAt) ? pb.createdAt : 0 }
}

/**
 * The manifest's size for a file of `size` bytes, from one segment entry as
 * share writes it (k+m shards with `holders` holders each, ids as long as
 * `peerId`): a share whose manifest would be over MAX_MANIFEST_SIZE is
 * refused before it starts, not after hours of encoding.
 */
export function manifestSizeEstimate (name: string, size: number, params: CesParams, peerId: string, holders = 2): number {
  const count = segmentCount(size, params.segmentSize)
  const n = params.k + params.m
  const cid = 'b'.padEnd(CID_STRING_LENGTH, 'a')
  const cipherSize = params.segmentSize + SEGMENT_OVERHEAD
  const entry: PlacedSegment = {
    index: count - 1,
    plainSize: params.segmentSize,
    compressed: false,
    cipherSize,
    shardSize: Math.ceil(cipherSize / params.k),
    shards: new Array(n).fill(cid),
    holders: new Array(n).fill(new Array(holders).fill(peerId))
  }
  const base: ManifestData = { name, size, sha256: '0'.repeat(64), params, segments: [], createdAt: Date.now() }
  const none = encodeManifest(base).byteLength
  const one = encodeManifest({ ...base, segments: [entry] }).byteLength
  return none + count * (one - none)
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
  // as ces' checkParams, which decoding applies later: a table is checked against the parameters it will be decoded with
  if (!(k >= 1 && m >= 0 && k + m <= 255 && Number.isInteger(segmentSize) && segmentSize >= MIN_SEGMENT_SIZE && segmentSize <= MAX_SEGMENT_SIZE)) {
    throw new WgtError('INTEGRITY', `${where}: parameters out of bounds (k=${k}, m=${m}, segment ${segmentSize})`)
  }
  return { k, m, segmentSize }
}

/** How many segments a file of `size` bytes has: whole segments and the remainder; an empty file has one, empty. */
export function segmentCount (size: number, segmentSize: number): number {
  return Math.max(1, Math.ceil(size / segmentSize))
}

/** The plaintext size of segment `index` of a file of `size` bytes: segmentSize, or the remainder for the last. */
export function plainSizeOf (index: number, size: number, segmentSize: number): number {
  return index < segmentCount(size, segmentSize) - 1 ? segmentSize : size - index * segmentSize
}

/**
 * Segment i has index i, k+m valid CIDs, and exactly the plain size the file's
 * size implies (as ces' segmenter cuts it): a table may not place a short
 * segment where a whole one belongs, or every later segment lands beyond the
 * end of the file (a lying manifest made a 256 KiB file a 1 GiB sparse one).
 */
function checkTable (segs: SegmentPb[], params: CesParams, size: number, where: string): PlacedSegment[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new WgtError('INTEGRITY', `${where}: bad size ${size}`)
  const n = params.k + params.m
  const count = segmentCount(size, params.segmentSize)
  if (segs.length !== count) throw new WgtError('INTEGRITY', `${where}: ${segs.length} segments, but ${size} bytes in segments of ${params.segmentSize} make ${count}`)
  return segs.map((s, i): PlacedSegment => {
    const bad = (why: string): WgtError => new WgtError('INTEGRITY', `${where}: segment ${i}: ${why}`)
    if (s.index !== i) throw bad(`index ${s.index}`)
    const plainSize = plainSizeOf(i, size, params.segmentSize)
    if (s.plainSize !== plainSize) throw bad(`plain size ${s.plainSize}, but the file's size makes it ${plainSize}`)
    if (s.shardSize < 1 || s.shardSize > MAX_SHARD_SIZE || s.cipherSize > s.shardSize * params.k) throw bad('bad shard or cipher size')
    if (s.shards.length !== n || !s.shards.every(isShardCid)) throw bad(`needs ${n} valid shard addresses`)
    if (s.holders.length !== 0 && s.holders.length !== n) throw bad('placement does not match the shards')
    if (s.holders.some(h => h.peers.length > MAX_HOLDERS || h.peers.some(p => p.length > 128))) throw bad('placement too large')
    return { index: i, plainSize: s.plainSize, compressed: s.compressed, cipherSize: s.cipherSize, shardSize: s.shardSize, shards: s.shards, holders: s.holders.length === 0 ? s.shards.map(() => []) : s.holders.map(h => h.peers) }
  })
}
