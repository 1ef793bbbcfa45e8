/**
 * Inspect a link before fetching it: what the person is asked to confirm when
 * a wgt:// link arrives from outside (or is pasted). It reads what fetch reads
 * first — the root record (verified against the id) and the manifest (opened
 * with the link's key) — and never a segment of the file itself.
 *
 * Unlike fetch, which takes the first peer that serves the root record, the
 * preview asks every known holder and connected shard peer at once (bounded)
 * and reports all that served it: "who serves it" is what the person weighs.
 * Nothing read here is kept: inspecting a link leaves no shard behind.
 *
 * Where it asks is the caller's choice, because asking is itself telling: a
 * link can come from a hostile web page, whose author may list its own peer
 * as a provider of its own id (on the DHT, or as a holder in the root record)
 * and learn who opened it, and from where. 'connected' (the default) asks
 * only peers this node is connected to already and the holders this node's
 * own record of the file names — nobody new is dialled and the DHT is not
 * asked, for the root record or for the manifest's shards. 'network' also
 * looks the id up on the DHT and dials the providers and the holders the
 * root record names: only when the person asks for it.
 */
import type { FileEntry, FileOffer, InspectOptions, LinkPreview } from '../../../shared/api/index.js'
import { WgtError } from '../../../shared/errors.js'
import { verifyShard } from '../ces/index.js'
import type { FilesContext } from './context.js'
import { existingCopy, openManifest } from './fetch.js'
import { fileGroupCid } from './groups.js'
import { parseLink } from './link.js'
import { sanitizeName } from './names.js'
import type { ShardSource } from './segment-fetch.js'
import { shardSource } from './source.js'
import { MAX_ROOT_SIZE, decodeRoot, type ManifestData } from './tables.js'

/** the whole inspection, root record and manifest; past it the preview fails with TIMEOUT */
export const INSPECT_TIMEOUT_MS = 30_000
/** one peer's answer for the root record */
export const ROOT_ASK_TIMEOUT_MS = 8_000
/** peers asked for the root record in one round (known holders and connected peers, then DHT providers) */
export const ROOT_ASK_LIMIT = 32
/** inspections running at once on a node (FilesService refuses more with UNAVAILABLE) */
export const MAX_INSPECTIONS = 2

export interface InspectDeps {
  /** the inbox's offers (offeredBy) */
  offers: () => Promise<FileOffer[]>
  /** overall bound; INSPECT_TIMEOUT_MS unless a test shortens it */
  timeoutMs?: number
}

export async function inspectLink (ctx: FilesContext, link: string, options: InspectOptions, deps: InspectDeps, signal: AbortSignal): Promise<LinkPreview> {
  const { manifestId: id, key } = parseLink(link)
  const network = options.search === 'network'
  const timeoutMs = deps.timeoutMs ?? INSPECT_TIMEOUT_MS
  const deadline = AbortSignal.timeout(timeoutMs)
  const sig = AbortSignal.any([signal, deadline])
  const known = await ctx.records.get(id)
  const [existing, offeredBy] = await Promise.all([existingEntry(ctx, id), offersOf(deps, id, key)])
  try {
    const connected = (await ctx.candidates()).sort((a, b) => a.rttMs - b.rttMs).map(c => c.peerId)
    const knownHolders = known?.rootHolders ?? []
    const { bytes, servedBy } = await rootServers(ctx, id, [...knownHolders, ...connected], network, sig)
    const root = decodeRoot(bytes)
    // holders whose shards fail their hash are penalised as in a fetch; the set itself is not reported here
    const everywhere = shardSource(ctx, new Set(), undefined, fileGroupCid(root.fileId))
    const src = network ? everywhere : onlyAmong(everywhere, new Set([ctx.self, ...knownHolders, ...connected]))
    const manifest = await openManifest(root, key, src, sig)
    return preview(id, manifest, servedBy, offeredBy, existing)
  } catch (err) {
    if (deadline.aborted && !signal.aborted) throw new WgtError('TIMEOUT', `the root record and manifest of ${id} could not be read within ${timeoutMs / 1000} s`, { cause: err })
    // a file this node has a record of is still described from that record: nobody serves it now
    if (known != null && err instanceof WgtError && err.code === 'NOT_FOUND') return preview(id, known.manifest, [], offeredBy, existing)
    throw WgtError.from(err)
  }
}

function preview (id: string, manifest: ManifestData, servedBy: string[], offeredBy: string[], existing: FileEntry | null): LinkPreview {
  return {
    id,
    // the manifest is the sharer's word: shown as it would be saved
    name: sanitizeName(manifest.name),
    size: manifest.size,
    segments: manifest.segments.length,
    k: manifest.params.k,
    m: manifest.params.m,
    servedBy,
    offeredBy,
    existing
  }
}

/** A shared file's entry, or a received one whose saved copy is still in place. */
async function existingEntry (ctx: FilesContext, id: string): Promise<FileEntry | null> {
  const rec = await ctx.records.get(id)
  if (rec?.entry.direction === 'shared') return rec.entry
  return await existingCopy(ctx, id)
}

/** Who offered this very link (same file and key): an offer of the same file under another key is another link. */
async function offersOf (deps: InspectDeps, id: string, key: Uint8Array): Promise<string[]> {
  const from = new Set<string>()
  for (const offer of await deps.offers()) {
    try {
      const parsed = parseLink(offer.link)
      if (parsed.manifestId === id && Buffer.from(parsed.key).equals(key)) from.add(offer.from)
    } catch {}
  }
  return [...from]
}

/**
 * The root record's bytes and every peer that served them verified: our own
 * store, then known holders and connected shard peers at once, then DHT
 * providers when none of those had it. Each peer gets ROOT_ASK_TIMEOUT_MS.
 */
async function rootServers (ctx: FilesContext, id: string, first: string[], network: boolean, signal: AbortSignal): Promise<{ bytes: Uint8Array, servedBy: string[] }> {
  const local = await ctx.store.get(id)
  const servedBy: string[] = []
  let bytes: Uint8Array | null = null
  if (local != null && verifyShard(id, local)) {
    bytes = local
    servedBy.push(ctx.self)
  }
  const asked = new Set<string>([ctx.self])
  const round = async (peers: string[]): Promise<void> => {
    const fresh = [...new Set(peers)].filter(p => !asked.has(p)).slice(0, ROOT_ASK_LIMIT)
    for (const p of fresh) asked.add(p)
    signal.throwIfAborted()
    const answers = await Promise.all(fresh.map(async peer => {
      try {
        const got = await ctx.shards.get(peer, id, { signal: AbortSignal.any([signal, AbortSignal.timeout(ROOT_ASK_TIMEOUT_MS)]), maxBytes: MAX_ROOT_SIZE })
        if (got == null) return null
        if (!verifyShard(id, got)) {
          ctx.reputation.recordViolation(peer, `shard: served a root record that does not hash to ${id}`)
          return null
        }
        return { peer, got }
      } catch {
        return null
      }
    }))
    signal.throwIfAborted()
    for (const a of answers) {
      if (a == null) continue
      servedBy.push(a.peer)
      bytes ??= a.got
    }
  }
  await round(first)
  if (bytes == null && network) await round(await ctx.locator.providers(id, signal))
  if (bytes == null && network) throw new WgtError('NOT_FOUND', `no reachable peer holds file ${id} (asked ${asked.size - 1} peers and the DHT)`)
  if (bytes == null) throw new WgtError('NOT_FOUND', `no connected peer holds file ${id} (asked ${asked.size - 1}); searching the network looks it up on the DHT and asks the peers listed there`)
  return { bytes, servedBy }
}

/**
 * A source that asks only `allowed`: the DHT is not asked (the allowed peers
 * stand in for its providers: a connected peer may hold the manifest's shards
 * without the root record naming it), and a holder the root record names
 * outside the set is not asked at all, so not dialled.
 */
function onlyAmong (src: ShardSource, allowed: ReadonlySet<string>): ShardSource {
  return {
    ...src,
    get: async (peer, cid, signal) => allowed.has(peer) ? await src.get(peer, cid, signal) : null,
    providers: async () => [...allowed].filter(p => p !== src.self)
  }
}
