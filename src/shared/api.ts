/**
 * The whole API between the UI (renderer or browser) and the node.
 * Every method takes positional arguments validated at the boundary by the
 * schemas in API_METHODS, returns a promise, and throws WgtError.
 */
import { z } from 'zod'
import { WgtError } from './errors.js'
import type {
  MetricsHistory, MetricsSample, MetricsSnapshot, NodeIdentity, PeerEntry,
  PeerIdString, PingResult, Reachability
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
}

export type WgtEventName = keyof WgtEventMap
export const EVENT_NAMES: readonly WgtEventName[] = ['peer:update', 'peer:remove', 'metrics:sample', 'reachability', 'identity']

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
}

export type WgtMethodName = keyof WgtMethods

export interface WgtApi extends WgtMethods {
  /** subscribe; returns the unsubscribe function */
  on: <E extends WgtEventName>(event: E, listener: (data: WgtEventMap[E]) => void) => () => void
}

// PeerId strings are base58btc (Qm…, 12D3Koo…) or CIDv1 base32 (b…): bounded, no spaces.
const peerId = z.string().min(8).max(128).regex(/^[1-9A-HJ-NP-Za-km-z]+$|^b[a-z2-7]+$/, 'not a PeerId')
const multiaddr = z.string().min(2).max(1024).startsWith('/')

export const API_METHODS = {
  getIdentity: z.tuple([]),
  getReachability: z.tuple([]),
  listPeers: z.tuple([]),
  getPeer: z.tuple([peerId]),
  connect: z.tuple([multiaddr]),
  disconnect: z.tuple([peerId]),
  ping: z.tuple([peerId, z.number().int().min(1).max(1000)]),
  getMetrics: z.tuple([]),
  getHistory: z.tuple([])
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
