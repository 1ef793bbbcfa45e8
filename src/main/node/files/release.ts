/**
 * Taking shards back: every holder is asked to drop our lease on them (ours
 * too), in parallel and within a bound, so a share that failed or was
 * cancelled, or a file the user unshared, leaves nothing behind on peers
 * that can be reached. A holder that cannot be reached keeps the shards
 * until their lease runs out; that is logged, not an error.
 */
import type { FilesContext } from './context.js'

const RELEASE_TIMEOUT_MS = 10_000

export async function releaseEverywhere (ctx: FilesContext, held: Map<string, Set<string>>): Promise<void> {
  await Promise.all([...held].map(async ([peer, cids]) => {
    if (cids.size === 0) return
    try {
      await ctx.shards.release(peer, [...cids], { signal: AbortSignal.timeout(RELEASE_TIMEOUT_MS) })
    } catch (err) {
      ctx.log('could not release %d shards at %s: %s', cids.size, peer, (err as Error).message)
    }
  }))
}

/** Holder → shards, from a file's placement tables. */
export function holdings (tables: Array<{ shards: string[], holders: string[][] }>, root?: { id: string, holders: string[] }): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  const add = (peer: string, cid: string): void => {
    let s = out.get(peer)
    if (s == null) { s = new Set(); out.set(peer, s) }
    s.add(cid)
  }
  for (const seg of tables) seg.shards.forEach((cid, i) => { for (const p of seg.holders[i] ?? []) add(p, cid) })
  if (root != null) for (const p of root.holders) add(p, root.id)
  return out
}
