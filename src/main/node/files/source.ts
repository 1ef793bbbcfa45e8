/** The ShardSource that fetch, health and repair hand to fetchShards, and root-record lookup. */
import { WgtError } from '../../../shared/errors.js'
import { verifyShard } from '../ces/index.js'
import type { FilesContext } from './context.js'
import type { ShardSource } from './segment-fetch.js'

/**
 * bad: holders that served bytes not matching the address, collected for
 * FetchResult.badHolders. group: the file's group (groups.ts), which holders
 * announce instead of each shard; the DHT is asked for the group's providers
 * (one lookup per file, cached by the Locator) beside the shard's own.
 */
export function shardSource (ctx: FilesContext, bad: Set<string>, onServed?: ShardSource['onServed'], group?: string): ShardSource {
  return {
    self: ctx.self,
    get: async (peer, cid, signal) => await ctx.shards.get(peer, cid, { signal }),
    // the group's providers, and the shard's own: a shard stored without a group (by a peer that sent none) is announced by its CID
    providers: async (cid, signal) => await firstFound([...(group != null ? [ctx.locator.providers(group, signal)] : []), ctx.locator.providers(cid, signal)]),
    rtt: ctx.rtt,
    onServed,
    onBadShard: (peer, cid) => {
      if (peer === ctx.self) {
        // our own copy rotted: drop it so it is neither served nor counted
        void ctx.store.delete(cid).catch(() => {})
        return
      }
      bad.add(peer)
      ctx.reputation.recordViolation(peer, `shard: served bytes that do not hash to ${cid}`)
    }
  }
}

/**
 * The peers of the first lookup that finds any (with those of any other
 * already done), else none once all are done: a lookup that finds nobody runs
 * to its timeout, and must not hold up one that found holders.
 */
async function firstFound (lookups: Array<Promise<string[]>>): Promise<string[]> {
  const found = new Set<string>()
  return await new Promise(resolve => {
    let left = lookups.length
    const settle = (peers: string[]): void => {
      for (const p of peers) found.add(p)
      if (peers.length > 0 || --left === 0) resolve([...found])
    }
    for (const l of lookups) l.then(settle, () => { settle([]) })
  })
}

/**
 * The root record's bytes, verified against its id: our store, then known
 * holders and connected shard peers at once (it is small), then DHT providers.
 * Returns the bytes and who served them.
 */
export async function findRoot (ctx: FilesContext, id: string, known: string[], bad: Set<string>, signal: AbortSignal): Promise<{ bytes: Uint8Array, holders: string[] }> {
  const local = await ctx.store.get(id)
  if (local != null && verifyShard(id, local)) return { bytes: local, holders: [ctx.self] }
  const asked = new Set<string>([ctx.self])
  const ask = async (peers: string[]): Promise<{ bytes: Uint8Array, holders: string[] } | null> => {
    const fresh = [...new Set(peers)].filter(p => !asked.has(p)).slice(0, 32)
    for (const p of fresh) asked.add(p)
    if (fresh.length === 0) return null
    try {
      return await Promise.any(fresh.map(async peer => {
        const bytes = await ctx.shards.get(peer, id, { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) })
        if (bytes == null) throw new Error('not held')
        if (!verifyShard(id, bytes)) {
          bad.add(peer)
          ctx.reputation.recordViolation(peer, `shard: served a root record that does not hash to ${id}`)
          throw new Error('bad bytes')
        }
        return { bytes, holders: [peer] }
      }))
    } catch {
      signal.throwIfAborted()
      return null
    }
  }
  const connected = (await ctx.candidates()).sort((a, b) => a.rttMs - b.rttMs).map(c => c.peerId)
  const found = await ask([...known, ...connected]) ?? await ask(await ctx.locator.providers(id, signal))
  if (found == null) throw new WgtError('NOT_FOUND', `no reachable peer holds file ${id} (asked ${asked.size - 1} peers and the DHT)`)
  return found
}
