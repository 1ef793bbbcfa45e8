/**
 * files: share a file as a wgt:// link, fetch one, check and repair its
 * shards, send a link to a peer, and the inbox of links peers sent us.
 */
import { carries, method, returns } from './define.js'
import type { PeerIdString } from './net.js'
import type { OperationRef } from './operations.js'
import { fileIdSchema, fileRefSchema, linkSchema, localPathSchema, opaqueIdSchema, peerIdSchema } from './schemas.js'

/** wgt://<manifest-id>#<key>: the manifest id is a CIDv1 (raw, sha2-256, base32); the key is 32 bytes base64url */
export type ShareLink = string

export interface ShareOptions {
  /** data shards per segment (default 4) */
  k?: number
  /** parity shards per segment (default 2); k + m ≤ 255 */
  m?: number
  /** keep a copy on this node too (default true): the k data shards of every segment, which rebuild the parity, and the manifest's shards */
  keepLocalCopy?: boolean
}

export interface ShareResult {
  link: ShareLink
  /** the manifest id: the file's identity everywhere */
  id: string
  name: string
  size: number
  k: number
  m: number
}

export interface FetchResult {
  id: string
  name: string
  size: number
  /** where the verified file is */
  path: string
  /** hex SHA-256 of the plaintext, checked against the manifest */
  sha256: string
  /** holders that served bytes whose hash did not match (their shard was rejected and another used) */
  badHolders: PeerIdString[]
  /** segments taken from an earlier interrupted fetch instead of the network */
  resumedSegments: number
  /** the link was fetched before and that copy is still in place: nothing was written, `path` is the earlier copy */
  existing: boolean
}

export interface FileEntry {
  id: string
  link: ShareLink
  name: string
  size: number
  k: number
  m: number
  segments: number
  direction: 'shared' | 'received'
  /** the shared file's source path, or where a received file was saved */
  path: string | null
  /** for a received file: the peer that offered it (null when fetched from a link) */
  from: PeerIdString | null
  createdAt: number
}

export interface SegmentHealth {
  index: number
  /** shards needed to rebuild the segment */
  k: number
  /** shards that exist (k + m) */
  total: number
  /** shards some reachable holder confirmed having, right now */
  reachable: number
  /** PeerIds that confirmed holding at least one shard of this segment */
  holders: PeerIdString[]
  /** PeerIds the placement record put one of this segment's shards on that did not prove that shard in this check (gone, unreachable, or too slow to answer within its time budget), even if they proved others */
  lost: PeerIdString[]
}

/** A share or repair put shards of a file on a peer (`operation` is the share's or repair's id). */
export interface FilePlaced {
  fileId: string
  peerId: PeerIdString
  operation: string
}

export interface FileHealth {
  id: string
  checkedAt: number
  manifestReachable: boolean
  segments: SegmentHealth[]
  /** the smallest `reachable` over all segments */
  minReachable: number
  /** every segment has at least k reachable shards */
  recoverable: boolean
}

export interface RepairResult {
  id: string
  /** shards rebuilt and placed on new holders */
  recreated: number
  health: FileHealth
}

/** A link a peer sent us (it dropped a file onto us). Kept in the node's inbox until accepted or declined. */
export interface FileOffer {
  id: string
  from: PeerIdString
  link: ShareLink
  name: string
  size: number
  receivedAt: number
  /**
   * from a peer the 'offers' policy does not let straight in (a stranger under
   * 'contacts'): shown apart as a request, bounded per peer and in all, and
   * never pushing out a contact's offer
   */
  request: boolean
}

/**
 * What a link leads to, read before fetching it (the root record and the
 * manifest only, never the file's segments): what the person is asked to
 * confirm when a link arrives from outside or is pasted.
 */
export interface LinkPreview {
  /** the manifest id */
  id: string
  /** the name it would be saved under */
  name: string
  size: number
  segments: number
  k: number
  m: number
  /** peers that served the root record just now (this node's own PeerId when it holds it) */
  servedBy: PeerIdString[]
  /** peers whose offers in this node's inbox carry this link */
  offeredBy: PeerIdString[]
  /** this node already has it: shared from here, or fetched and still where it was saved */
  existing: FileEntry | null
}

/**
 * Where inspectLink asks. 'connected' (the default): peers this node is
 * connected to already and the holders its own records name; nobody new is
 * dialled and the DHT is not asked. 'network': also the DHT's providers and
 * the holders the root record names, dialled — they learn this node's address
 * and PeerId, which is what a hostile link's author wants: only on the
 * person's say-so.
 */
export type InspectSearch = 'connected' | 'network'
export interface InspectOptions { search?: InspectSearch }

export interface RemoveOptions {
  /** for a received file: delete the fetched copy on disk too (default false) */
  deleteCopy?: boolean
}

const shareOptions = (z: Parameters<typeof linkSchema>[0]) => z.object({
  k: z.number().int().min(1).max(254).optional(),
  m: z.number().int().min(0).max(254).optional(),
  keepLocalCopy: z.boolean().optional()
}).strict().refine(o => (o.k ?? 4) + (o.m ?? 2) <= 255, 'k + m must be at most 255')

export const files = {
  name: 'files',
  methods: {
    /** encode a local file, place its shards on peers; the operation's result carries the link */
    shareFile: method({ args: z => z.tuple([localPathSchema(z), shareOptions(z).optional()]), result: returns<OperationRef>(), longRunning: true }),
    /** fetch a link into outPath (default: the download directory under the file's name) */
    fetchFile: method({ args: z => z.tuple([linkSchema(z), localPathSchema(z).optional()]), result: returns<OperationRef>(), longRunning: true }),
    /**
     * what a link leads to (name, size, who serves it, who offered it), from
     * its root record and manifest only; asking connected peers only unless
     * options.search is 'network'. At most 2 run at once (more: UNAVAILABLE).
     */
    inspectLink: method({
      args: z => z.tuple([linkSchema(z), z.object({ search: z.enum(['connected', 'network']).optional() }).strict().optional()]),
      result: returns<LinkPreview>(),
      timeout: 'slow'
    }),
    listFiles: method({ args: z => z.tuple([]), result: returns<FileEntry[]>() }),
    /** how many shards of each segment are reachable now; by manifest id or link */
    fileHealth: method({ args: z => z.tuple([fileRefSchema(z)]), result: returns<FileHealth>(), timeout: 'slow' }),
    /** re-create missing shards on new holders */
    repairFile: method({ args: z => z.tuple([fileRefSchema(z)]), result: returns<OperationRef>(), longRunning: true }),
    /**
     * Forget a file. A shared file is unshared: its holders are asked to drop
     * the shards and this node drops its own. A received file leaves the list
     * (and its kept shards go); the fetched copy stays unless deleteCopy.
     */
    removeFile: method({
      args: z => z.tuple([fileIdSchema(z), z.object({ deleteCopy: z.boolean().optional() }).strict().optional()]),
      result: returns<void>(),
      timeout: 'slow'
    }),
    /** send a link to a peer; it lands in that peer's inbox */
    offerFile: method({ args: z => z.tuple([peerIdSchema(z), linkSchema(z)]), result: returns<void>() }),
    /** the inbox: offers not yet accepted or declined, newest first */
    listOffers: method({ args: z => z.tuple([]), result: returns<FileOffer[]>() }),
    /** fetch what an offer links to: it leaves the inbox, for good once the file is here (a failed or cancelled fetch puts it back) */
    acceptOffer: method({ args: z => z.tuple([opaqueIdSchema(z), localPathSchema(z).optional()]), result: returns<OperationRef>(), longRunning: true }),
    declineOffer: method({ args: z => z.tuple([opaqueIdSchema(z)]), result: returns<void>() })
  },
  events: {
    /** a file was shared or received, or its entry changed */
    'files:update': carries<FileEntry>(),
    'files:remove': carries<{ id: string }>(),
    /**
     * a share or repair put shards of a file on a peer: repair as each shard
     * lands, share once per peer when it ends (the file's id is the root
     * record's, known only then); at most one per peer per segment
     */
    'files:placed': carries<FilePlaced>(),
    /** a peer sent us a link: it is in the inbox */
    'offer:new': carries<FileOffer>(),
    /** an offer left the inbox (accepted or declined, here or in another window) */
    'offer:remove': carries<{ id: string }>()
  }
} as const
