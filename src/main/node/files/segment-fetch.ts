/**
 * Getting k verified shards of one segment. Shards are tried in order of their
 * fastest known holder (RTT from the directory; ourselves first), k at once;
 * a failed shard starts the next one, and a segment still short of k after
 * hedgeMs starts one more (a slow holder must not stall the file). Every
 * shard's hash is checked on arrival: a mismatch rejects it, reports the
 * holder, and the next holder of that shard is tried. Known holders come
 * first; DHT providers are looked up when they did not deliver.
 *
 * Failures are of two kinds. A holder that answers NOT_FOUND, serves bytes
 * that do not hash to the address, refuses (policy), or breaks the protocol
 * will not do better on a second try: it is out for that shard. A reset or
 * closed stream, a timeout, an unreachable peer or a BUSY answer is what a
 * loaded holder (or a loaded us) does: after a reset or BUSY the same holder
 * is asked again with backoff (after a timeout or a failed dial, the others
 * first), then the shard's other holders and, once, its DHT providers; a
 * shard whose holders all failed that way cools down and is tried again
 * later while other shards of the segment are fetched. So a segment fails
 * only when fewer than k of its shards still have a holder that may serve, or
 * when every such holder has used up its attempts (retry.attempts per holder
 * and shard: a bound on the segment's time). Under load a fetch failed with
 * "only 3 of the 4 needed shards could be fetched (…: The stream has been
 * reset)" when each holder was asked once.
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
  /** retrying transient failures (defaults in RETRY) */
  retry?: Partial<RetryPolicy>
}

export interface RetryPolicy {
  /** the first backoff; each further attempt on a holder doubles it, up to maxMs, with jitter (0.5–1×) */
  baseMs: number
  maxMs: number
  /** attempts one holder gets for one shard, over all passes */
  attempts: number
  /** attempts in a row on the same holder before its shard's other holders are asked */
  sameHolder: number
}

/**
 * 8 attempts a holder, 3 in a row, with 250 ms → 8 s backoff: about 12 s of
 * waiting (passes: 0.25, 0.5, cool 0.5, 2, 4, cool 1, 8; × 0.75 mean jitter)
 * before a holder that resets every time is given up, on top of its answers.
 */
export const RETRY: Readonly<RetryPolicy> = Object.freeze({ baseMs: 250, maxMs: 8000, attempts: 8, sameHolder: 3 })

/** Error names (libp2p's, and the DOM's for timers) that say the stream or connection failed, not the holder's answer. */
const TRANSIENT_NAMES = new Set([
  'StreamResetError', 'StreamAbortedError', 'StreamClosedError', 'StreamStateError', 'ConnectionClosedError', 'ConnectionClosingError',
  'ConnectionFailedError', 'MuxerClosedError', 'DialError', 'TimeoutError', 'AbortError', 'TooManyOutboundProtocolStreamsError', 'TooManyInboundProtocolStreamsError'
])

type Outcome = 'ok' | 'permanent' | 'again' | 'elsewhere'

/**
 * Whether a failed GET may succeed when asked again. ShardService.request
 * surfaces a reset or closed stream and a failed dial as PEER_UNREACHABLE, a
 * deadline as TIMEOUT, and BUSY (or a holder's failing store) as UNAVAILABLE;
 * NOT_FOUND is a null answer, not an error. PROTOCOL (a malformed answer or a
 * peer that does not speak the protocol), POLICY_DENIED and INTEGRITY are the
 * holder's word and stand.
 */
export function isTransient (err: unknown): boolean {
  if (err instanceof WgtError) return err.code === 'PEER_UNREACHABLE' || err.code === 'TIMEOUT' || err.code === 'UNAVAILABLE'
  return err instanceof Error && TRANSIENT_NAMES.has(err.name)
}

/** A stream reset or closed under a request (also during protocol negotiation) or BUSY: the holder is there, ask it again soon. */
const AGAIN_NAMES = new Set(['StreamResetError', 'StreamAbortedError', 'StreamClosedError', 'StreamStateError', 'ConnectionClosedError', 'MuxerClosedError'])

/**
 * Whether a transient failure is worth an immediate retry on the same holder:
 * a reset or closed stream, or BUSY. A timeout already waited getTimeoutMs on
 * it, and a failed dial says it may be gone: the shard's other holders (and
 * the DHT's) are asked before it again.
 */
function askAgain (err: unknown): boolean {
  if (err instanceof WgtError && err.code === 'UNAVAILABLE') return true
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (AGAIN_NAMES.has(e.name)) return true
  }
  return false
}

/** Resolves after ms, or at once when signal aborts. */
async function pause (ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>(resolve => {
    if (signal.aborted) { resolve(); return }
    const done = (): void => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve() }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

interface HolderState { attempts: number, out: boolean }
interface ShardState {
  status: 'fresh' | 'running' | 'cooling' | 'done' | 'dead'
  holders: Map<string, HolderState>
  /** DHT providers were looked up for it */
  looked: boolean
  passes: number
  readyAt: number
}

/** Returns k+m slots with at least k shards, each one checked against its CID (decodeSegment may take them as verified); throws INTEGRITY/UNAVAILABLE when fewer than k can be had. */
export async function fetchShards (seg: PlacedSegment, params: CesParams, src: ShardSource, signal: AbortSignal): Promise<Array<Uint8Array | null>> {
  const { k } = params
  const n = seg.shards.length
  const policy: RetryPolicy = { ...RETRY, ...src.retry }
  const slots: Array<Uint8Array | null> = new Array(n).fill(null)
  const rankOf = (p: string): number => (p === src.self ? -1 : src.rtt(p))
  const byRank = (a: string, b: string): number => rankOf(a) - rankOf(b)
  const shards: ShardState[] = seg.shards.map((_, i) => ({
    status: 'fresh',
    holders: new Map([...new Set([src.self, ...(seg.holders[i] ?? [])])].sort(byRank).map(p => [p, { attempts: 0, out: false }])),
    looked: false,
    passes: 0,
    readyAt: 0
  }))
  // best holder's RTT per shard; data shards first on ties (systematic code: cheaper decode)
  const order = [...Array(n).keys()].sort((a, b) => {
    const ra = Math.min(...[...shards[a].holders.keys()].map(rankOf))
    const rb = Math.min(...[...shards[b].holders.keys()].map(rankOf))
    return ra - rb || a - b
  })
  const ctrl = new AbortController()
  const inner = AbortSignal.any([signal, ctrl.signal])
  const errors: string[] = []
  const backoff = (attempt: number): number => {
    const ms = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1))
    return ms * (0.5 + Math.random() / 2)
  }
  const mayServe = (h: HolderState): boolean => !h.out && h.attempts < policy.attempts

  const attempt = async (i: number, peer: string): Promise<Outcome> => {
    const cid = seg.shards[i]
    try {
      const bytes = await src.get(peer, cid, AbortSignal.any([inner, AbortSignal.timeout(src.getTimeoutMs ?? 30_000)]))
      if (bytes == null) return 'permanent'
      if (!verifyShard(cid, bytes)) {
        src.onBadShard(peer, cid)
        return 'permanent'
      }
      if (inner.aborted) return 'permanent'
      slots[i] = bytes
      if (peer !== src.self) src.onServed?.(i, peer)
      return 'ok'
    } catch (err) {
      if (inner.aborted) return 'permanent'
      if (peer !== src.self) {
        const line = `${peer.slice(-8)}: ${(err as Error).message}`
        if (!errors.includes(line)) errors.push(line)
        if (errors.length > 8) errors.shift()
      }
      // our own store failing is not a peer being busy
      if (peer === src.self || !isTransient(err)) return 'permanent'
      return askAgain(err) ? 'again' : 'elsewhere'
    }
  }

  /** One pass over a shard's holders: 'done', 'retry' (some holder failed transiently and has attempts left) or 'dead'. */
  const pass = async (i: number): Promise<'done' | 'retry' | 'dead'> => {
    const st = shards[i]
    const tryHolders = async (only?: string[]): Promise<boolean> => {
      for (const [peer, h] of [...st.holders].filter(([p]) => only == null || only.includes(p)).sort((a, b) => byRank(a[0], b[0]))) {
        let inRow = 0
        while (mayServe(h)) {
          if (inner.aborted) return false
          h.attempts++
          inRow++
          const r = await attempt(i, peer)
          if (r === 'ok') return true
          if (r === 'permanent') h.out = true
          if (r !== 'again' || inRow >= policy.sameHolder || !mayServe(h)) break
          await pause(backoff(h.attempts), inner)
        }
      }
      return false
    }
    if (await tryHolders()) return 'done'
    if (inner.aborted) return 'dead'
    // once per shard, when its known holders did not deliver: a holder that stopped may have been replaced by
    // one that fetched the file and kept its shards, and only the DHT knows it
    if (!st.looked) {
      st.looked = true
      const more = (await src.providers(seg.shards[i], inner).catch(() => [])).filter(p => !st.holders.has(p))
      for (const p of more) st.holders.set(p, { attempts: 0, out: false })
      if (more.length > 0 && await tryHolders(more)) return 'done'
      if (inner.aborted) return 'dead'
    }
    return [...st.holders.values()].some(mayServe) ? 'retry' : 'dead'
  }

  return await new Promise((resolve, reject) => {
    let got = 0
    let active = 0
    let next = 0
    /** shards wanted in flight: k, plus one per hedge */
    let want = k
    let settled = false
    const timer: { hedge?: ReturnType<typeof setInterval>, wake?: ReturnType<typeof setTimeout>, wakeAt: number } = { wakeAt: Infinity }
    const finish = (err?: Error): void => {
      if (settled) return
      settled = true
      clearInterval(timer.hedge)
      clearTimeout(timer.wake)
      signal.removeEventListener('abort', onAbort)
      ctrl.abort()
      if (err != null) reject(err)
      else resolve(slots)
    }
    const onAbort = (): void => { finish(WgtError.from(signal.reason ?? new WgtError('TIMEOUT', 'fetch aborted'))) }
    const check = (): void => {
      if (settled) return
      if (got >= k) { finish(); return }
      // shards fetched or still with a holder that may serve: fewer than k cannot make the segment, so stop now
      const possible = shards.filter(s => s.status !== 'dead').length
      if (possible < k) {
        const why = errors.length > 0 ? ` (${errors.slice(-3).join('; ')})` : ''
        finish(new WgtError('UNAVAILABLE', `segment ${seg.index}: only ${possible} of the ${k} needed shards could be fetched${why}`))
      }
    }
    const run = (i: number): void => {
      const st = shards[i]
      st.status = 'running'
      active++
      pass(i).then(r => {
        active--
        if (settled) return
        if (r === 'done') {
          st.status = 'done'
          got++
        } else if (r === 'retry') {
          st.status = 'cooling'
          st.passes++
          st.readyAt = Date.now() + backoff(st.passes + 1)
        } else {
          st.status = 'dead'
        }
        check()
        fill()
      }, (err: unknown) => { active--; finish(WgtError.from(err)) })
    }
    /** A fresh shard, else the cooling shard ready first; false when none can start now (a wake is set for the next). */
    const launchOne = (): boolean => {
      while (next < order.length) {
        const i = order[next++]
        if (shards[i].status === 'fresh') { run(i); return true }
      }
      let best = -1
      for (let i = 0; i < n; i++) if (shards[i].status === 'cooling' && (best < 0 || shards[i].readyAt < shards[best].readyAt)) best = i
      if (best < 0) return false
      const now = Date.now()
      if (shards[best].readyAt <= now) { run(best); return true }
      if (shards[best].readyAt < timer.wakeAt) {
        clearTimeout(timer.wake)
        timer.wakeAt = shards[best].readyAt
        timer.wake = setTimeout(() => { timer.wakeAt = Infinity; fill() }, shards[best].readyAt - now)
      }
      return false
    }
    const fill = (): void => {
      while (!settled && active < want - got && launchOne());
    }
    if (signal.aborted) { onAbort(); return }
    signal.addEventListener('abort', onAbort, { once: true })
    timer.hedge = setInterval(() => { if (got < k) { want++; fill() } }, src.hedgeMs ?? 4000)
    fill()
    check()
  })
}
