/**
 * The whole API between the UI (renderer or browser) and the node.
 * Every method takes positional arguments validated at the boundary by the
 * schemas in API_METHODS, returns a promise, and throws WgtError.
 */
import { z } from 'zod'
import { WgtError } from './errors.js'
import type {
  FetchResult, FileEntry, FileHealth, FileOffer, MetricsHistory, MetricsSample, MetricsSnapshot, NodeIdentity, PeerEntry,
  PeerIdString, PingResult, Reachability, RepairResult, ShareOptions, ShareResult, StorageInfo, TransferProgress
} from './types.js'

export interface WgtEventMap {
  /** a peer appeared or any of its fields changed */
  'peer:update': PeerEntry
  /** a peer was dropped from the directory */
  'peer:remove': { peerId: PeerIdString }
  /** the periodic metrics tick (once per metrics interval) */
  'metrics:sample': MetricsSample
  'reachability': Reachability
  /** this node's listen or observed addresses changed */
  'identity': NodeIdentity
  /** progress of a share, fetch or repair */
  'file:progress': TransferProgress
  /** the list of shared/received files changed */
  'files:update': FileEntry
  /** a peer sent us a link */
  'file:offer': FileOffer
}

export type WgtEventName = keyof WgtEventMap
export const EVENT_NAMES: readonly WgtEventName[] = [
  'peer:update', 'peer:remove', 'metrics:sample', 'reachability', 'identity', 'file:progress', 'files:update', 'file:offer'
]

export interface WgtMethods {
  getIdentity: () => Promise<NodeIdentity>
  getReachability: () => Promise<Reachability>
  listPeers: () => Promise<PeerEntry[]>
  getPeer: (peerId: PeerIdString) => Promise<PeerEntry>
  /** dial a multiaddr (must include /p2p/<peerId>); resolves with the peer's entry */
  connect: (multiaddr: string) => Promise<PeerEntry>
  disconnect: (peerId: PeerIdString) => Promise<void>
  /** count probes over the long-lived probe stream */
  ping: (peerId: PeerIdString, count: number) => Promise<PingResult>
  getMetrics: () => Promise<MetricsSnapshot>
  getHistory: () => Promise<MetricsHistory>
  /** encode a local file, place its shards on peers, and return its link */
  shareFile: (path: string, options?: ShareOptions) => Promise<ShareResult>
  /** fetch a link into outPath (default: the download directory under the file's name) */
  fetchFile: (link: string, outPath?: string) => Promise<FetchResult>
  listFiles: () => Promise<FileEntry[]>
  /** how many shards of each segment are reachable now; by manifest id or link */
  fileHealth: (idOrLink: string) => Promise<FileHealth>
  /** re-create missing shards on new holders */
  repairFile: (idOrLink: string) => Promise<RepairResult>
  /** send a link to a peer; it shows up there as a 'file:offer' event */
  offerFile: (peerId: PeerIdString, link: string) => Promise<void>
  getStorage: () => Promise<StorageInfo>
  setStorageQuota: (bytes: number) => Promise<StorageInfo>
}

export type WgtMethodName = keyof WgtMethods

export interface WgtApi extends WgtMethods {
  /** subscribe; returns the unsubscribe function */
  on: <E extends WgtEventName>(event: E, listener: (data: WgtEventMap[E]) => void) => () => void
}

// PeerId strings are base58btc (Qm…, 12D3Koo…) or CIDv1 base32 (b…): bounded, no spaces.
const peerId = z.string().min(8).max(128).regex(/^[1-9A-HJ-NP-Za-km-z]+$|^b[a-z2-7]+$/, 'not a PeerId')
const multiaddr = z.string().min(2).max(1024).startsWith('/')
// wgt://<CIDv1 base32>#<43 base64url chars = 32 bytes>
const link = z.string().max(256).regex(/^wgt:\/\/b[a-z2-7]{20,120}#[A-Za-z0-9_-]{43}$/, 'not a wgt:// link')
const fileRef = z.union([link, z.string().regex(/^b[a-z2-7]{20,120}$/, 'not a file id or link')])
const localPath = z.string().min(1).max(4096).refine(p => !p.includes('\0'), 'path contains a NUL byte')
const shareOptions = z.object({
  k: z.number().int().min(1).max(254).optional(),
  m: z.number().int().min(0).max(254).optional(),
  keepLocalCopy: z.boolean().optional()
}).strict().refine(o => (o.k ?? 4) + (o.m ?? 2) <= 255, 'k + m must be at most 255')

export const API_METHODS = {
  getIdentity: z.tuple([]),
  getReachability: z.tuple([]),
  listPeers: z.tuple([]),
  getPeer: z.tuple([peerId]),
  connect: z.tuple([multiaddr]),
  disconnect: z.tuple([peerId]),
  ping: z.tuple([peerId, z.number().int().min(1).max(1000)]),
  getMetrics: z.tuple([]),
  getHistory: z.tuple([]),
  shareFile: z.union([z.tuple([localPath]), z.tuple([localPath, shareOptions])]),
  fetchFile: z.union([z.tuple([link]), z.tuple([link, localPath])]),
  listFiles: z.tuple([]),
  fileHealth: z.tuple([fileRef]),
  repairFile: z.tuple([fileRef]),
  offerFile: z.tuple([peerId, link]),
  getStorage: z.tuple([]),
  setStorageQuota: z.tuple([z.number().int().min(0).max(2 ** 53 - 1)])
} satisfies { [K in WgtMethodName]: z.ZodType<Parameters<WgtMethods[K]>> }

export const METHOD_NAMES = Object.keys(API_METHODS) as WgtMethodName[]

export function isMethodName (name: unknown): name is WgtMethodName {
  return typeof name === 'string' && Object.hasOwn(API_METHODS, name)
}

export function isEventName (name: unknown): name is WgtEventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name)
}

/** Validate untrusted arguments for a method; throws INVALID_INPUT naming the method and the problem. */
export function validateArgs<M extends WgtMethodName> (method: M, args: unknown): Parameters<WgtMethods[M]> {
  const parsed = API_METHODS[method].safeParse(args)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` (argument ${issue.path.join('.')})` : ''
    throw new WgtError('INVALID_INPUT', `${method}: ${issue?.message ?? 'invalid arguments'}${where}`)
  }
  return parsed.data as Parameters<WgtMethods[M]>
}

/** Call a method on an implementation after validating its arguments: the one dispatch every transport uses. */
export async function dispatch (impl: WgtMethods, method: unknown, args: unknown): Promise<unknown> {
  if (!isMethodName(method)) throw new WgtError('INVALID_INPUT', `unknown method ${JSON.stringify(method)}`)
  const valid = validateArgs(method, args)
  const fn = impl[method] as (...a: unknown[]) => Promise<unknown>
  return await fn.apply(impl, valid)
}
