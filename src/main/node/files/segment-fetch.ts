/**
 * Getting k verified shards of one segment. Shards are tried in order of their
 * fastest known holder (RTT from the directory; ourselves first), k at once;
 * a failed shard starts the next one, and a segment still short of k after
 * hedgeMs starts one more (a slow holder must not stall the file). Every
 * shard's hash is checked on arrival: a mismatch rejects it, reports the
 * holder, and the next holder of that shard is tried. Known holders come
 * first; DHT providers are looked up only when they are exhausted.
 */
import { WgtError } from '../../../shared/errors.js'
import { verifyShard, type CesParams } from '../ces/index.js'
import type { PlacedSegment } from './tables.js'

export interface ShardSource {
  self: string
  get: (peerId: string, cid: string, signal: AbortSignal) => Promise<Uint8Array | null>
  providers: (cid: string, signal: AbortSignal) => Promise<string[]>
  /** lower is faster; unknown peers get Infinity */
  rtt: (peerId: string) => number
  /** a holder served bytes that do not match the address */
  onBadShard: (peerId: string, cid: string) => void
  /** a holder confirmed by serving the shard (placement learned from the DHT) */
  onServed?: (index: number, peerId: string) => void
  /** hedge: start one more shard when the segment is not done after this long (default 4 s) */
  hedgeMs?: number
  /** one GET may take this long (default 30 s) */
  getTimeoutMs?: number
}

/** Returns k+m slots with at least k verified shards; throws INTEGRITY/UNAVAILABLE when fewer than k can be had. */
export async function fetchShards (seg: PlacedSegment, params: CesParams, src: ShardSource, signal: AbortSignal): Promise<Array<Uint8Array | null>> {
  const { k } = params
  const n = seg.shards.length
  const slots: Array<Uint8Array | null> = new Array(n).fill(null)
  const holdersOf = (i: number): string[] => {
    const hs = [...new Set([src.self, ...(seg.holders[i] ?? [])])]
    return hs.sort((a, b) => (a === src.self ? -1 : b === src.self ? 1 : src.rtt(a) - src.rtt(b)))
  }
  // best holder's RTT per shard; data shards first on ties (systematic code: cheaper decode)
  const order = [...Array(n).keys()].sort((a, b) => {
    const ra = Math.min(...holdersOf(a).map(p => (p === src.self ? -1 : src.rtt(p))))
    const rb = Math.min(...holdersOf(b).map(p => (p === src.self ? -1 : src.rtt(p))))
    return ra - rb || a - b
  })
  const ctrl = new AbortController()
  const inner = AbortSignal.any([signal, ctrl.signal])
  const errors: string[] = []

  const tryShard = async (i: number): Promise<boolean> => {
    const cid = seg.shards[i]
    const tried = new Set<string>()
    const attempt = async (peer: string): Promise<boolean> => {
      tried.add(peer)
      try {
        const bytes = await src.get(peer, cid, AbortSignal.any([inner, AbortSignal.timeout(src.getTimeoutMs ?? 30_000)]))
        if (bytes == null) return false
        if (!verifyShard(cid, bytes)) {
          src.onBadShard(peer, cid)
          return false
        }
        if (inner.aborted) return false
        slots[i] = bytes
        if (peer !== src.self) src.onServed?.(i, peer)
        return true
      } catch (err) {
        if (inner.aborted) return false
        if (peer !== src.self) errors.push(`${peer.slice(-8)}: ${(err as Error).message}`)
        return false
      }
    }
    for (const peer of holdersOf(i)) {
      if (inner.aborted) return false
      if (await attempt(peer)) return true
    }
    if (inner.aborted) return false
    const more = (await src.providers(cid, inner).catch(() => [])).filter(p => !tried.has(p)).sort((a, b) => src.rtt(a) - src.rtt(b))
    for (const peer of more) {
      if (inner.aborted) return false
      if (await attempt(peer)) return true
    }
    return false
  }

  return await new Promise((resolve, reject) => {
    let got = 0
    let active = 0
    let next = 0
    let settled = false
    const timer: { hedge?: ReturnType<typeof setInterval> } = {}
    const finish = (err?: Error): void => {
      if (settled) return
      settled = true
      clearInterval(timer.hedge)
      signal.removeEventListener('abort', onAbort)
      ctrl.abort()
      if (err != null) reject(err)
      else resolve(slots)
    }
    const onAbort = (): void => { finish(WgtError.from(signal.reason ?? new WgtError('TIMEOUT', 'fetch aborted'))) }
    const check = (): void => {
      if (got >= k) finish()
      else if (active === 0 && next >= order.length) {
        const why = errors.length > 0 ? ` (${errors.slice(-3).join('; ')})` : ''
        finish(new WgtError('UNAVAILABLE', `segment ${seg.index}: only ${got} of the ${k} needed shards could be fetched${why}`))
      }
    }
    const launch = (): void => {
      if (settled || next >= order.length) return
      const i = order[next++]
      active++
      tryShard(i).then(ok => {
        active--
        if (settled) return
        if (ok) got++
        else launch()
        check()
      }, (err: unknown) => { active--; finish(WgtError.from(err)) })
    }
    if (signal.aborted) { onAbort(); return }
    signal.addEventListener('abort', onAbort, { once: true })
    timer.hedge = setInterval(() => { if (got < k) launch() }, src.hedgeMs ?? 4000)
    for (let j = 0; j < k; j++) launch()
    check()
  })
}
