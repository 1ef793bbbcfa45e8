/**
 * Health: which shards some holder proves it has right now. "Have it" is not
 * enough (a holder that deleted its shards can still say it): every holder
 * is challenged with a fresh nonce and must answer SHA-256(nonce || shard),
 * which it cannot without the bytes; the answers are checked against bytes
 * verified by their address (our own copy, or one fetched from a claimant,
 * which proves that claimant by delivery). A wrong answer counts against the
 * holder. Known holders (placement, plus ourselves) are asked first; shards
 * nobody proved are then looked up on the DHT, all within a time budget, so
 * a dead holder costs a timeout, not a hang.
 * Repair: for every segment that lost shards but still has k, fetch k,
 * re-create the lost ones with Reed-Solomon (no key needed) and place them on
 * peers that hold nothing of that segment yet; the record's placement is
 * updated to what was confirmed and placed. The root record and manifest stay
 * as sealed (re-sealing would change the link); fetchers find new holders
 * through the DHT, where every holder announces what it stores.
 */
import { WgtError } from '../../../shared/errors.js'
import type { FileHealth, SegmentHealth } from '../../../shared/api/index.js'
import { createHash, randomBytes } from 'node:crypto'
import { rebuildShards, verifyShard, type CesParams } from '../ces/index.js'
import type { FilesContext } from './context.js'
import type { OperationHandle } from '../operations/registry.js'
import { fileGroupCid } from './groups.js'
import { Placer } from './placement.js'
import type { FileRecord } from './records.js'
import { fetchShards } from './segment-fetch.js'
import { findRoot, shardSource } from './source.js'
import type { PlacedSegment } from './tables.js'

export interface Census {
  health: FileHealth
  /** cid → peers that confirmed holding it */
  confirmed: Map<string, Set<string>>
}

export async function census (ctx: FilesContext, rec: FileRecord, signal: AbortSignal, budgetMs = 8000): Promise<Census> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(budgetMs)])
  const confirmed = new Map<string, Set<string>>()
  const tables = [...rec.root.segments, ...rec.manifest.segments]
  const all = [rec.entry.id, ...tables.flatMap(s => s.shards)]
  const ask = new Map<string, Set<string>>([[ctx.self, new Set(all)]])
  const want = (peer: string, cid: string): void => {
    let s = ask.get(peer)
    if (s == null) { s = new Set(); ask.set(peer, s) }
    s.add(cid)
  }
  for (const p of rec.rootHolders) want(p, rec.entry.id)
  for (const seg of tables) seg.shards.forEach((cid, i) => { for (const p of seg.holders[i] ?? []) want(p, cid) })
  const byTable = [{ segs: rec.root.segments, params: rec.root.params }, { segs: rec.manifest.segments, params: rec.manifest.params }]
  const selfCids = new Set(all)
  // checking the proofs needs the bytes; that is local disk and CPU, or a GET per shard at worst: the caller's time, not the budget
  await verifyClaims(ctx, byTable, [rec.entry.id], await challenge(ctx, ask, deadline), selfCids, confirmed, signal)

  // shards no known holder confirmed: the DHT may know where repair or other
  // fetchers put them. Holders announce the file's group, not each shard
  // (groups.ts): its providers are asked for every unconfirmed shard
  const unconfirmed = all.filter(c => (confirmed.get(c)?.size ?? 0) === 0)
  const more = new Map<string, Set<string>>()
  if (unconfirmed.length > 0 && !deadline.aborted) {
    const providers = await ctx.locator.providers(fileGroupCid(rec.root.fileId), deadline).catch(() => [])
    // the root record is announced by its own CID
    const rootProviders = unconfirmed.includes(rec.entry.id) ? await ctx.locator.providers(rec.entry.id, deadline).catch(() => []) : []
    for (const p of providers) more.set(p, new Set(unconfirmed.filter(c => c !== rec.entry.id)))
    for (const p of rootProviders) {
      let s = more.get(p)
      if (s == null) { s = new Set(); more.set(p, s) }
      s.add(rec.entry.id)
    }
  }
  const late = await challenge(ctx, more, AbortSignal.any([signal, AbortSignal.timeout(Math.max(2000, budgetMs / 2))]))
  await verifyClaims(ctx, byTable, late.has(rec.entry.id) ? [rec.entry.id] : [], late, new Set(), confirmed, signal)
  signal.throwIfAborted()

  const segHealth = (seg: PlacedSegment, params: CesParams): SegmentHealth => segmentHealth(seg, params, confirmed)
  const segments = rec.manifest.segments.map(s => segHealth(s, rec.manifest.params))
  const manifestReachable = (confirmed.get(rec.entry.id)?.size ?? 0) > 0 &&
    rec.root.segments.every(s => segHealth(s, rec.root.params).reachable >= rec.root.params.k)
  const minReachable = segments.length === 0 ? 0 : Math.min(...segments.map(s => s.reachable))
  return {
    health: { id: rec.entry.id, checkedAt: Date.now(), manifestReachable, segments, minReachable, recoverable: manifestReachable && segments.every(s => s.reachable >= s.k) },
    confirmed
  }
}

/**
 * One segment's health from a census's proofs: its holders are the peers
 * that proved any of its shards; lost is per shard: a peer the placement put
 * a shard on that did not prove that shard (gone, unreachable, or too slow
 * within the budget), even if it proved others.
 */
export function segmentHealth (seg: PlacedSegment, params: CesParams, confirmed: ReadonlyMap<string, ReadonlySet<string>>): SegmentHealth {
  const holders = new Set<string>()
  const lost = new Set<string>()
  let reachable = 0
  seg.shards.forEach((cid, i) => {
    const proved = confirmed.get(cid)
    if (proved != null && proved.size > 0) { reachable++; for (const p of proved) holders.add(p) }
    for (const p of seg.holders[i] ?? []) if (proved?.has(p) !== true) lost.add(p)
  })
  return { index: seg.index, k: params.k, total: params.k + params.m, reachable, holders: [...holders], lost: [...lost] }
}

interface Claim { peer: string, nonce: Uint8Array, proof: Uint8Array }
type Claims = Map<string, Claim[]>

/** Challenge every peer in `ask` (not us); answers who claims which CID, with the proof to check. */
async function challenge (ctx: FilesContext, ask: Map<string, Set<string>>, signal: AbortSignal): Promise<Claims> {
  const claims: Claims = new Map()
  await pool([...ask.entries()].filter(([peer]) => peer !== ctx.self), 16, async ([peer, cids]) => {
    const list = [...cids]
    const nonce = randomBytes(32)
    try {
      const proofs = await ctx.shards.prove(peer, list, nonce, { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) })
      proofs.forEach((proof, i) => {
        if (proof == null) return
        const mine = claims.get(list[i]) ?? []
        mine.push({ peer, nonce, proof })
        claims.set(list[i], mine)
      })
    } catch {
      // unreachable, too slow, or busy: it proves nothing
    }
  })
  return claims
}

/**
 * Check the claims against bytes known to be right: our own copy (verified
 * by its address), or rebuilt with Reed-Solomon from k of our own shards of
 * the segment (no network), or else fetched from a claimant (which proves
 * that claimant by delivery). Our own intact copies count as held by us.
 */
async function verifyClaims (ctx: FilesContext, tables: Array<{ segs: PlacedSegment[], params: CesParams }>, extra: string[], claims: Claims, selfCids: Set<string>, confirmed: Map<string, Set<string>>, signal: AbortSignal): Promise<void> {
  const prove = (cid: string, peer: string): void => {
    let s = confirmed.get(cid)
    if (s == null) { s = new Set(); confirmed.set(cid, s) }
    s.add(peer)
  }
  const blamed = new Set<string>()
  const local = async (cid: string): Promise<Uint8Array | null> => {
    const bytes: Uint8Array | null = await ctx.store.get(cid).catch(() => null)
    return bytes != null && verifyShard(cid, bytes) ? bytes : null
  }
  /** known: right bytes of cid, or null; ours: they were read from our own store (rebuilt ones are not held here) */
  const check = async (cid: string, known: Uint8Array | null, ours: boolean): Promise<void> => {
    let bytes = known
    if (bytes != null && ours && selfCids.has(cid)) prove(cid, ctx.self)
    const pending = claims.get(cid) ?? []
    if (bytes == null) {
      for (const c of pending) {
        const got = await ctx.shards.get(c.peer, cid, { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) }).catch(() => null)
        if (got != null && verifyShard(cid, got)) { bytes = got; prove(cid, c.peer); break }
      }
    }
    if (bytes == null) return
    for (const c of pending) {
      const expected = createHash('sha256').update(c.nonce).update(bytes).digest()
      if (expected.equals(c.proof)) prove(cid, c.peer)
      else if (!blamed.has(c.peer)) {
        // once per check: a holder whose disk rotted many shards is one problem, not many
        blamed.add(c.peer)
        ctx.reputation.recordViolation(c.peer, 'shard: failed a storage proof')
      }
    }
  }
  // whatever local() returns was read from our own store
  for (const cid of extra) await check(cid, await local(cid), true)
  const segments = tables.flatMap(t => t.segs.map(seg => ({ seg, params: t.params })))
  await pool(segments, 4, async ({ seg, params }) => {
    if (signal.aborted) return
    if (!seg.shards.some(c => selfCids.has(c) || claims.has(c))) return
    const mine = await Promise.all(seg.shards.map(local))
    // a sharer keeps only the data shards (share.ts): the parity it checks proofs against is rebuilt, not held
    const ours = mine.map(b => b != null)
    const have = ours.filter(Boolean).length
    const missing = mine.map((b, i) => (b == null && (claims.get(seg.shards[i])?.length ?? 0) > 0 ? i : -1)).filter(i => i >= 0)
    if (have >= params.k && missing.length > 0) {
      try {
        // local() checked each of ours against its CID; every rebuilt shard is checked against its own
        for (const [i, bytes] of rebuildShards(seg, mine, params, missing, { verified: true })) mine[i] = bytes
      } catch {
        // our shards do not rebuild it (they were checked one by one, so this is not expected): fetch instead
      }
    }
    for (let i = 0; i < seg.shards.length; i++) await check(seg.shards[i], mine[i], ours[i])
  })
}

export async function repair (ctx: FilesContext, rec: FileRecord, op: OperationHandle): Promise<{ recreated: number, record: FileRecord }> {
  const signal = op.signal
  op.progress('checking', 0)
  const { confirmed } = await census(ctx, rec, signal)
  const group = fileGroupCid(rec.root.fileId)
  const placer = new Placer(await ctx.candidates(), async (peer, cid, bytes) => {
    await ctx.shards.put(peer, cid, bytes, ctx.leaseMs, { signal, group: cid === rec.entry.id ? undefined : group })
  }, signal)
  const confirmedOf = (cid: string): string[] => [...(confirmed.get(cid) ?? [])]
  const tables: Array<{ segs: PlacedSegment[], params: CesParams }> = [
    { segs: rec.root.segments, params: rec.root.params },
    { segs: rec.manifest.segments, params: rec.manifest.params }
  ]
  const lost = tables.reduce((a, t) => a + t.segs.reduce((b, s) => b + s.shards.filter(c => confirmedOf(c).length === 0).length, 0), 0)
  let recreated = 0
  const unrecoverable: number[] = []
  op.progress('rebuilding', 0)
  for (const { segs, params } of tables) {
    for (const seg of segs) {
      // what was confirmed is the placement now
      seg.holders = seg.shards.map(confirmedOf)
      const missing = seg.shards.map((c, i) => (seg.holders[i].length === 0 ? i : -1)).filter(i => i >= 0)
      if (missing.length === 0) continue
      if (seg.shards.length - missing.length < params.k) { unrecoverable.push(seg.index); continue }
      const shards = await fetchShards(seg, params, shardSource(ctx, new Set(), undefined, group), signal)
      const rebuilt = rebuildShards(seg, shards, params, missing)
      const avoid = new Set(seg.holders.flat())
      for (const [i, bytes] of rebuilt) {
        const peer = await placer.place(seg.shards[i], bytes, avoid)
        if (peer != null) {
          seg.holders[i] = [peer]
          // avoid keeps a segment's shards on distinct peers: one event per peer per segment
          ctx.events.emit('files:placed', { fileId: rec.entry.id, peerId: peer, operation: op.id })
        } else {
          await ctx.shards.put(ctx.self, seg.shards[i], bytes, Infinity, { group })
          seg.holders[i] = [ctx.self]
        }
        recreated++
        op.progress('rebuilding', lost > 0 ? recreated / lost : 1)
      }
    }
  }
  // the root record: re-place it if nobody but us (or nobody at all) still holds it
  const rootHolders = confirmedOf(rec.entry.id)
  rec.rootHolders = rootHolders
  if (rootHolders.filter(p => p !== ctx.self).length === 0) {
    const found = await findRoot(ctx, rec.entry.id, [], new Set(), signal).catch(() => null)
    if (found != null) {
      const avoid = new Set(rootHolders)
      for (let i = 0; i < rec.entry.m + 1; i++) {
        const peer = await placer.place(rec.entry.id, found.bytes, avoid)
        if (peer == null) break
        rec.rootHolders.push(peer)
        ctx.events.emit('files:placed', { fileId: rec.entry.id, peerId: peer, operation: op.id })
      }
    }
  }
  await ctx.records.put(rec)
  if (unrecoverable.length > 0 && recreated === 0) {
    throw new WgtError('UNAVAILABLE', `segments ${unrecoverable.slice(0, 10).join(', ')} have fewer than k shards reachable; nothing can rebuild them until holders return`)
  }
  return { recreated, record: rec }
}

async function pool<T> (items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) await fn(items[next++])
  }))
}
